"""The browser client under Debian's Chromium (Playwright), against ``hubbub serve`` subprocesses.

Each test gets a fresh server (a real ``hubbub serve`` child process) and every person in
a test is a separate browser context (its own localStorage, as separate machines would
be). To keep the suite fast, one headless Chromium serves the whole session, and the
next test's server is started while the current test runs. Playwright's ``expect``
waits for what a person would see.

Every browser test runs in the session's event loop (the browser lives there): each
module sets ``pytestmark = pytest.mark.asyncio(loop_scope="session")``.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright

from browser.people import CHROMIUM, LAUNCH_ARGS, People
from conftest import ServerProcess, free_port

READY_WITHIN = 20.0


class PooledServer(ServerProcess):
    """A ``hubbub serve`` started ahead of the test that will use it."""

    def spawn(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "hubbub",
                "serve",
                "--port",
                str(self.port),
                "--data-dir",
                str(self.data_dir),
                "--log-level",
                "WARNING",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + READY_WITHIN
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None:
                    errors = self.process.stderr.read().decode() if self.process.stderr else ""
                    raise RuntimeError(f"hubbub serve exited: {errors}") from None
                time.sleep(0.05)
        raise RuntimeError(f"hubbub serve did not answer /healthz in {READY_WITHIN} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class ServerPool:
    """Always one server starting up for the next test."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.count = 0
        self.spare: PooledServer | None = None

    def _spawn(self) -> PooledServer:
        self.count += 1
        server = PooledServer(self.root / f"server{self.count}", free_port())
        server.spawn()
        return server

    def take(self) -> PooledServer:
        server = self.spare or self._spawn()
        self.spare = self._spawn()
        server.wait_ready()
        return server

    def close(self) -> None:
        if self.spare is not None:
            self.spare.stop()


@pytest.fixture(scope="session")
def server_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerPool]:
    pool = ServerPool(tmp_path_factory.mktemp("servers"))
    yield pool
    pool.close()


@pytest.fixture
def hubbub(server_pool: ServerPool) -> Iterator[ServerProcess]:
    """A running ``hubbub serve`` on a free loopback port, for this test alone."""
    server = server_pool.take()
    yield server
    server.stop()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: `make test` installs it")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True
        )
        yield launched
        await launched.close()


@pytest_asyncio.fixture(loop_scope="session")
async def people(browser: Browser, hubbub: ServerProcess) -> AsyncIterator[People]:
    crowd = People(browser, hubbub)
    yield crowd
    misbehaved = {
        p.name: {"dialogs": p.dialogs, "errors": p.page_errors}
        for p in crowd.everyone
        if p.dialogs or p.page_errors
    }
    await crowd.close()
    assert not misbehaved, f"a page raised an error or opened a dialog: {misbehaved}"
