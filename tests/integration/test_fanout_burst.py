"""A burst of room messages reaches every listener once each, in order, while writes are paced."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from hubbub.client import Client
from hubbub.protocol import LOBBY, Message

SENDERS = 3
PER_SENDER = 60
LISTENERS = 4


async def lobby_messages(client: Client, count: int) -> list[Message]:
    """The first ``count`` lobby messages ``client`` is told, in arrival order."""
    heard: list[Message] = []
    async with asyncio.timeout(30):
        async for event in client.events():
            if isinstance(event, Message) and event.conversation == LOBBY:
                heard.append(event)
                if len(heard) == count:
                    return heard
    raise AssertionError(f"the event stream ended after {len(heard)} lobby messages")


async def test_a_burst_from_several_senders_reaches_every_listener_once_and_in_order(
    start_server: Callable[..., Awaitable[Any]], signed_in_to: Callable[..., Awaitable[Client]]
) -> None:
    server = await start_server()
    senders = [await signed_in_to(server, f"sender{i}") for i in range(SENDERS)]
    listeners = [await signed_in_to(server, f"listener{i}") for i in range(LISTENERS)]
    total = SENDERS * PER_SENDER
    hearing = [asyncio.create_task(lobby_messages(c, total)) for c in listeners]

    texts = [f"sender{i} says {n}" for i in range(SENDERS) for n in range(PER_SENDER)]
    sent = await asyncio.gather(
        *(senders[i].say(f"sender{i} says {n}") for i in range(SENDERS) for n in range(PER_SENDER))
    )

    text_of = {reply.seq: text for reply, text in zip(sent, texts, strict=True)}
    in_order = sorted(text_of)
    assert len(in_order) == total
    for heard in await asyncio.gather(*hearing):
        assert [m.seq for m in heard] == in_order
        assert [m.text for m in heard] == [text_of[seq] for seq in in_order]
