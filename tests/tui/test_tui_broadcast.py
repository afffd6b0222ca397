"""The broadcast chat's flow among three terminal apps, and a terminal user with a library user."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from conftest import TEST_LINGER
from hubbub.client import Client
from hubbub.protocol import Message
from tui.conftest import OpenTerminal


async def test_room_private_calc_users_and_join_notices(terminal: OpenTerminal) -> None:
    alice = await terminal("alice")
    bob = await terminal("bob")
    await alice.sees("bob joined")
    carol = await terminal("carol")
    await alice.sees("carol joined")
    await bob.sees("carol joined")

    await alice.say("hello, lobby")
    for person in (alice, bob, carol):
        await person.sees("alice: hello, lobby")

    await alice.say("/msg carol psst, only you")
    await alice.sees("→ carol (private): psst, only you")
    await carol.sees("alice (private): psst, only you")
    await carol.until(lambda: "@ alice 1" in carol.conversations, "an unread private message")
    await carol.open("alice")
    await carol.sees("alice: psst, only you")
    assert "@ alice" in carol.conversations

    await bob.say("/calc 2*(3+4)")
    await bob.sees("2*(3+4) = 14")
    await bob.say("/calc 1/0")
    await bob.sees("1/0: division by zero")
    await alice.say("/users")
    await alice.sees("Online (3): alice (you) online, bob online, carol online")

    await bob.say("after the sums")
    await alice.sees("bob: after the sums")
    assert not bob.saw("psst")
    assert not alice.saw("= 14")
    assert not carol.saw("= 14")


async def test_terminal_and_library_users_chat(
    terminal: OpenTerminal, library: Callable[[str], Awaitable[Client]]
) -> None:
    alice = await terminal("alice")
    bob = await library("bob")
    await alice.sees("bob joined")

    await bob.message_user("alice", "hi from a script")
    await alice.sees("bob (private): hi from a script")
    await alice.open("bob")
    await alice.say("hi back, script")
    reply = await bob.wait_for(Message, lambda m: m.text == "hi back, script")
    assert reply.sender == "alice"
    assert reply.to == "bob"

    await bob.request_chat("alice")
    await alice.until(lambda: alice.app.screen.id != "_default", "the request dialog")
    await alice.press("a")
    await alice.until(lambda: (alice.shown or "").startswith("chat:"), "the chat shown")
    await alice.say("in the chat now")
    said = await bob.wait_for(Message, lambda m: m.text == "in the chat now")
    await bob.say("me too", said.conversation)
    await alice.sees("bob: me too")
    await bob.end_chat()
    await alice.sees("bob ended the chat")
    await alice.say("anyone?")
    await alice.sees("The chat with bob is over")

    await bob.close()
    await alice.open("Lobby")
    await alice.sees("bob left", within=5 + TEST_LINGER)
    await alice.until(lambda: not any("bob" in p for p in alice.people if "○" not in p), "bob gone")
