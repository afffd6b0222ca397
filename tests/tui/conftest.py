"""The terminal client under Textual's ``run_test``, against ``hubbub serve`` subprocesses.

Each test gets a fresh server (a real child process); the next test's server starts while
the current test runs. Every person is a :class:`Terminal`: a :class:`ChatApp` on its own
signed-in :class:`Client`, driven by a Textual :class:`Pilot` at a fixed terminal size.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack

import pytest

from conftest import ServerProcess
from hubbub.client import Client
from tui.terminal import Terminal

OpenTerminal = Callable[..., Awaitable[Terminal]]


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
