"""The terminal client under Textual's ``run_test``, against ``hubbub serve`` subprocesses.

Each test gets a fresh server (a real child process); the next test's server starts while
the current test runs. Every person is a :class:`Terminal`: a :class:`ChatApp` on its own
signed-in :class:`Client`, driven by a Textual :class:`Pilot` at a fixed terminal size.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from conftest import ServerProcess, free_port
from hubbub.client import Client
from tui.terminal import Terminal

OpenTerminal = Callable[..., Awaitable[Terminal]]


class ServerPool:
    """Always one server starting up for the next test."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.count = 0
        self.spare: ServerProcess | None = None

    def _spawn(self) -> ServerProcess:
        self.count += 1
        server = ServerProcess(self.root / f"server{self.count}", free_port())
        server.spawn()
        return server

    def take(self) -> ServerProcess:
        server = self.spare or self._spawn()
        self.spare = self._spawn()
        server.wait_ready()
        return server

    def close(self) -> None:
        if self.spare is not None:
            self.spare.stop()


@pytest.fixture(scope="session")
def server_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerPool]:
    pool = ServerPool(tmp_path_factory.mktemp("tui-servers"))
    yield pool
    pool.close()


@pytest.fixture
def hubbub(server_pool: ServerPool) -> Iterator[ServerProcess]:
    """A running ``hubbub serve`` on a free loopback port, for this test alone."""
    server = server_pool.take()
    yield server
    server.stop()


@pytest.fixture
async def terminal(hubbub: ServerProcess) -> AsyncIterator[OpenTerminal]:
    """``await terminal(name)``: a chat app signed in as ``name`` (password "pw-<name>")."""
    async with AsyncExitStack() as stack:

        async def open_terminal(name: str, size: tuple[int, int] = (110, 30)) -> Terminal:
            client = Client.connect(hubbub.url)
            await client.open()
            stack.push_async_callback(client.close)
            reply = await client.sign_in(name, f"pw-{name}")
            return await Terminal.start(stack, client, reply, size)

        yield open_terminal


@pytest.fixture
async def library(hubbub: ServerProcess) -> AsyncIterator[Callable[[str], Awaitable[Client]]]:
    """``await library(name)``: a :class:`Client` signed in as ``name``, closed at the end."""
    async with AsyncExitStack() as stack:

        async def sign_in(name: str) -> Client:
            client = Client.connect(hubbub.url)
            await client.open()
            stack.push_async_callback(client.close)
            await client.sign_in(name, f"pw-{name}")
            return client

        yield sign_in
