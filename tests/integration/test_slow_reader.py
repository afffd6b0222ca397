"""A client that stops reading costs the server a bounded buffer, then its connection."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from conftest import wait_joined, wait_left
from hubbub.client import Client
from hubbub.protocol import Message
from hubbub.server.conn_limits import ConnLimits
from ws_client import connect


async def open_stalled_socket(url: str, name: str) -> asyncio.StreamWriter:
    """Upgrade to WebSocket and sign in, then never read another byte."""
    socket = await connect(url)
    assert socket.status == 101
    sign_in = {"type": "sign_in", "id": 1, "name": name, "password": "pw"}
    await socket.send_text(json.dumps(sign_in))
    return socket.writer


async def test_a_reader_too_slow_for_its_events_is_dropped_and_others_carry_on(
    start_server: Callable[..., Awaitable[Any]], signed_in_to: Callable[..., Awaitable[Client]]
) -> None:
    server = await start_server(send_buffer=256 * 1024, grace=0.0)
    talker = await signed_in_to(server, "talker")
    stalled = await open_stalled_socket(server.url, "stalled")
    await wait_joined(talker, "stalled")

    async def flood() -> None:
        text = "x" * 4000
        while True:
            await asyncio.gather(*(talker.say(text) for _ in range(5)))

    flooding = asyncio.create_task(flood())
    try:
        await wait_left(talker, "stalled", within=20)
    finally:
        flooding.cancel()
        await asyncio.gather(flooding, return_exceptions=True)
        stalled.close()
    assert [u.name for u in await talker.users()] == ["talker"]
    assert (await talker.say("still here")).seq > 0


async def test_slow_readers_together_stay_within_the_servers_budget(
    start_server: Callable[..., Awaitable[Any]], signed_in_to: Callable[..., Awaitable[Client]]
) -> None:
    # Each reader alone may fall 64 MiB behind, far more than the 12 MB this test sends
    # it, and no ping goes unanswered during the test: only the budget for all of them
    # together (512 KiB) can cut them off.
    server = await start_server(
        send_buffer=64 * 1024 * 1024,
        heartbeat=600.0,
        grace=0.0,
        connections=ConnLimits(slow_readers_budget=512 * 1024),
    )
    talker = await signed_in_to(server, "talker")
    reader = await signed_in_to(server, "reader", reconnect=False)
    stalled = []
    for n in range(3):
        stalled.append(await open_stalled_socket(server.url, f"stalled{n}"))
        await wait_joined(talker, f"stalled{n}")

    async def flood() -> None:
        text = "x" * 4000
        for _ in range(600):
            await asyncio.gather(*(talker.say(text) for _ in range(5)))

    async def all_cut() -> None:
        # Several may leave in one presence event: ask who is on rather than count events.
        while True:
            if {u.name for u in await talker.users()} == {"reader", "talker"}:
                return
            await asyncio.sleep(0.2)

    flooding = asyncio.create_task(flood())
    try:
        await asyncio.wait_for(all_cut(), timeout=60)
    finally:
        flooding.cancel()
        await asyncio.gather(flooding, return_exceptions=True)
        for writer in stalled:
            writer.close()
    await talker.say("the slow readers are gone")
    heard = await reader.wait_for(Message, lambda m: m.text == "the slow readers are gone")
    assert heard.sender == "talker"
