"""Real Tk windows on a virtual screen (Xvfb), against ``hubbub serve`` subprocesses.

The session starts one ``Xvfb`` on a free display number (``-displayfd``) and points
``DISPLAY`` at it. Each desktop client is a real :class:`DesktopApp` (its own Tk
interpreter and network thread, its own config dir); the test drives its widgets on the
test's thread, which is the Tk thread, and :func:`until` lets every window work until
what a person would see has appeared. A library user is a :class:`hubbub.client.Client`
on a loop thread of its own.
"""

from __future__ import annotations

import asyncio
import gc
import os
import select
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from conftest import ServerProcess
from hubbub.client import Client
from hubbub.desktop.app import DesktopApp

T = TypeVar("T")
SCREEN_SIZE = "2700x1400x24"


@dataclass(frozen=True)
class Screen:
    display: str
    framebuffer: Path


@pytest.fixture(scope="session")
def screen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Screen]:
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.fail("Xvfb is missing: apt-get install xvfb xauth (make test installs it)")
    fbdir = tmp_path_factory.mktemp("xvfb")
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        [xvfb, "-displayfd", str(write_end), "-screen", "0", SCREEN_SIZE,
         "-fbdir", str(fbdir), "-nolisten", "tcp", "-noreset"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        number = _read_display(read_end, process)
    finally:
        os.close(read_end)
    before = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = f":{number}"
    try:
        yield Screen(f":{number}", fbdir / "Xvfb_screen0")
    finally:
        if before is None:
            os.environ.pop("DISPLAY", None)
        else:
            os.environ["DISPLAY"] = before
        process.terminate()
        process.wait(timeout=10)


def _read_display(fd: int, process: subprocess.Popen[bytes]) -> str:
    text = b""
    deadline = time.monotonic() + 10
    while not text.endswith(b"\n"):
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            process.kill()
            pytest.fail("Xvfb did not report its display number within 10 s")
        chunk = os.read(fd, 16)
        if not chunk:
            pytest.fail(f"Xvfb exited with {process.wait()}")
        text += chunk
    return text.decode().strip()


@pytest.fixture
def server(server_process: ServerProcess) -> ServerProcess:
    server_process.start()
    return server_process


@dataclass
class Desktops:
    """Opens desktop clients, each with its own config dir; all quit at the end."""

    root: Path
    opened: list[DesktopApp] = field(default_factory=list)

    def open(self, name: str, server: str, *, at: tuple[int, int] = (0, 0)) -> DesktopApp:
        app = DesktopApp(server=server, config_dir=self.root / name)
        app.root.geometry(f"+{at[0]}+{at[1]}")
        self.opened.append(app)
        return app

    def until(self, ready: Callable[[], object], what: str, within: float = 10.0) -> None:
        until(self.opened, ready, what, within)


def until(
    apps: list[DesktopApp], ready: Callable[[], object], what: str, within: float = 10.0
) -> None:
    """Let every window work (network news, redraws) until ``ready()`` is true."""
    deadline = time.monotonic() + within
    while True:
        for app in apps:
            if app._running:
                app.root.update()
        if ready():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {within} s for {what}")
        time.sleep(0.005)


@pytest.fixture
def desktops(screen: Screen, tmp_path: Path) -> Iterator[Desktops]:
    opened = Desktops(tmp_path / "config")
    yield opened
    for app in reversed(opened.opened):
        app.quit()
    opened.opened.clear()
    gc.collect()  # here, on the Tk thread: Tk objects must not be freed on another one


class Library:
    """A library user: a :class:`Client` on its own loop thread, called synchronously."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.clients: list[Client] = []

    def run(self, coroutine: Coroutine[Any, Any, T], within: float = 10.0) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(within)

    def connect(self, url: str, name: str) -> Client:
        async def connected() -> Client:
            client = Client.connect(url)
            await client.open()
            await client.sign_in(name, f"pw-{name}")
            return client

        client = self.run(connected())
        self.clients.append(client)
        return client

    def close(self) -> None:
        for client in self.clients:
            self.run(client.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@pytest.fixture
def library() -> Iterator[Library]:
    users = Library()
    yield users
    users.close()
