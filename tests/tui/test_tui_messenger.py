"""The messenger's flow between two terminal apps: request, decline, request, accept, busy, end."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from hubbub.client import Client, RequestFailed
from hubbub.protocol import ErrorCode
from hubbub.tui.request import ChatRequestScreen
from tui.conftest import OpenTerminal


async def test_alone_then_someone_joins(terminal: OpenTerminal) -> None:
    alice = await terminal("alice")
    await alice.sees("No one else is online yet")
    bob = await terminal("bob")
    await alice.sees("bob joined")
    await alice.until(lambda: "● bob" in alice.people, "bob in the people list")
    await bob.until(lambda: "● alice" in bob.people, "alice online in bob's people list")
    assert not bob.saw("No one else is online yet")


async def test_request_decline_request_accept_busy_end(
    terminal: OpenTerminal, library: Callable[[str], Awaitable[Client]]
) -> None:
    alice = await terminal("alice")
    bob = await terminal("bob")
    await alice.until(lambda: "● bob" in alice.people, "bob online")

    await alice.say("/chat bob")
    await alice.sees("You asked bob for a chat")
    await bob.until(lambda: isinstance(bob.app.screen, ChatRequestScreen), "the request dialog")
    assert "alice asks you for a 1:1 chat" in bob.text("#question")
    await bob.press("d")
    await alice.sees("bob declined your chat request")

    await alice.say("/chat bob")
    await bob.until(lambda: isinstance(bob.app.screen, ChatRequestScreen), "the dialog again")
    await bob.click("#accept")
    await alice.until(lambda: (alice.shown or "").startswith("chat:"), "the chat shown")
    await bob.until(lambda: bob.shown == alice.shown, "the same chat shown")
    await alice.sees("Chat with bob started")
    assert "1:1 chat with bob" in alice.text("#title")

    await alice.say("just us two")
    await bob.sees("alice: just us two")
    await alice.until(lambda: "busy" in alice.app.sub_title, "alice busy")
    await alice.open("Lobby")
    await alice.until(lambda: "■ bob busy" in alice.people, "bob's busy badge")

    carol = await library("carol")
    with pytest.raises(RequestFailed) as refused:
        await carol.request_chat("bob")
    assert refused.value.code == ErrorCode.USER_BUSY

    await bob.press("f8")
    await bob.sees("You ended the chat")
    await alice.sees("bob ended the chat")
    await bob.sees("You ended the chat")
    await alice.until(lambda: "● bob" in alice.people, "bob free again")
    assert any("(ended)" in label for label in bob.conversations)
