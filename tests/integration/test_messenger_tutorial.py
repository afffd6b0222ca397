"""The messenger's tutorial, step by step, with three real clients over WebSocket."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from conftest import wait_status
from hubbub.client import Client, RequestFailed
from hubbub.hub import ALONE
from hubbub.protocol import (
    ChatEnded,
    ChatRequested,
    ChatStarted,
    ErrorCode,
    Message,
    Notice,
)

pytestmark = pytest.mark.twice

SignedIn = Callable[..., Awaitable[Client]]


async def test_messenger_tutorial(signed_in: SignedIn) -> None:
    # Register with a name; alone on the server, the user is told so.
    alice = await signed_in("alice")
    notice = await alice.wait_for(Notice)
    assert notice.text == ALONE

    # A second client registers; the first sees them in the online list.
    bob = await signed_in("bob")
    await wait_status(alice, "bob", "online")
    assert {(u.name, u.status) for u in await bob.users()} == {
        ("alice", "online"),
        ("bob", "online"),
    }

    # Clicking a user sends them a request with the requester's name.
    await alice.request_chat("bob")
    request = await bob.wait_for(ChatRequested)
    assert request.requester == "alice"

    # Accepting starts the chat on both sides.
    conversation = await bob.answer_chat("alice", accept=True)
    started = await alice.wait_for(ChatStarted)
    assert (started.partner, started.conversation) == ("bob", conversation)
    assert conversation is not None

    # Both are busy, as a third user sees, and cannot be asked for a chat.
    carol = await signed_in("carol")
    assert {(u.name, u.status) for u in await carol.users()} == {
        ("alice", "busy"),
        ("bob", "busy"),
        ("carol", "online"),
    }
    with pytest.raises(RequestFailed) as refused:
        await carol.request_chat("alice")
    assert refused.value.code is ErrorCode.USER_BUSY

    # They chat; only the two of them see it.
    await alice.say("hi bob, just us", conversation=conversation)
    heard = await bob.wait_for(Message, lambda m: m.conversation == conversation)
    assert (heard.sender, heard.text) == ("alice", "hi bob, just us")
    await bob.say("hi alice", conversation=conversation)
    assert (await alice.wait_for(Message, lambda m: m.text == "hi alice")).sender == "bob"

    # One side presses End chat: the other is told who ended it, and both are free.
    await bob.end_chat()
    ended = await alice.wait_for(ChatEnded)
    assert (ended.by, ended.reason, ended.conversation) == ("bob", "ended", conversation)
    told = await wait_status(carol, "alice", "online")
    assert ("bob", "online") in {(u.name, u.status) for u in told.users}
    await carol.request_chat("alice")
    assert (await alice.wait_for(ChatRequested)).requester == "carol"

    # Carol never saw the private chat.
    lobby_and_chat = await carol.history("lobby")
    assert lobby_and_chat == []
    with pytest.raises(RequestFailed) as refused:
        await carol.history(conversation)
    assert refused.value.code is ErrorCode.UNKNOWN_CONVERSATION


async def test_a_new_chat_can_be_read_as_soon_as_it_is_announced(signed_in: SignedIn) -> None:
    alice, bob = await signed_in("alice"), await signed_in("bob")
    await alice.request_chat("bob")
    await bob.wait_for(ChatRequested)

    await bob.answer_chat("alice", accept=True)
    started = await alice.wait_for(ChatStarted)

    assert await alice.history(started.conversation) == []
    await alice.say("first words", conversation=started.conversation)
    assert [m.text for m in await bob.history(started.conversation)] == ["first words"]
