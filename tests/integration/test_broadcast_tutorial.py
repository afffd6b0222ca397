"""The broadcast chat's tutorial, step by step, with three real clients over WebSocket."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from conftest import wait_joined, wait_left
from hubbub.client import Client
from hubbub.protocol import Message, Notice

pytestmark = pytest.mark.twice

SignedIn = Callable[..., Awaitable[Client]]


async def next_message(client: Client) -> Message:
    return await client.wait_for(Message)


async def test_broadcast_chat_tutorial(signed_in: SignedIn) -> None:
    # Three users connect; each arrival is broadcast to those already there.
    nitesh = await signed_in("nitesh")
    assert (await nitesh.wait_for(Notice)).code == "alone"
    hariom = await signed_in("hariom")
    await wait_joined(nitesh, "hariom")
    rajat = await signed_in("rajat")
    await wait_joined(nitesh, "rajat")
    await wait_joined(hariom, "rajat")

    # Send: nitesh broadcasts; everyone, nitesh included, sees it with a seq and a time.
    sent = await nitesh.say("hello all")
    for client in (nitesh, hariom, rajat):
        message = await next_message(client)
        assert (message.sender, message.text, message.seq) == ("nitesh", "hello all", sent.seq)
        assert message.conversation == "lobby"
        assert message.ts == sent.ts

    # Calculate: hariom's result comes back to hariom only.
    assert await hariom.calc("2*(3+4)") == "14"
    assert await hariom.calc("sqrt(16) + 10 // 3") == "7.0"

    # Specific user: hariom messages rajat alone.
    private = await hariom.message_user("rajat", "only for you")
    to_rajat = await next_message(rajat)
    assert (to_rajat.sender, to_rajat.to, to_rajat.text) == ("hariom", "rajat", "only for you")
    assert to_rajat.conversation == private.conversation
    assert (await next_message(hariom)).text == "only for you"

    # Nitesh noticed neither the calculation nor the private message: his next event is
    # the next broadcast.
    await rajat.say("sentinel")
    assert (await nitesh.wait_for(Message)) == await _lobby(rajat, "sentinel")

    # Know all users: everyone connected, with status.
    assert {(u.name, u.status) for u in await hariom.users()} == {
        ("nitesh", "online"),
        ("hariom", "online"),
        ("rajat", "online"),
    }

    # Leaving is announced to everyone still there.
    await rajat.close()
    await wait_left(nitesh, "rajat")
    await wait_left(hariom, "rajat")
    assert {u.name for u in await nitesh.users()} == {"nitesh", "hariom"}


async def _lobby(client: Client, text: str) -> Message:
    return await client.wait_for(Message, lambda m: m.conversation == "lobby" and m.text == text)
