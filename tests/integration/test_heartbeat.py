"""Dead peers are found by WebSocket pings, not by waiting for TCP to notice."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from conftest import wait_left
from hubbub.client import Client


async def test_a_peer_that_stops_answering_pings_is_dropped_and_leaves_after_grace(
    start_server: Callable[..., Awaitable[Any]], signed_in_to: Callable[..., Awaitable[Client]]
) -> None:
    server = await start_server(heartbeat=0.2, grace=0.3)
    watcher = await signed_in_to(server, "watcher")
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(f"{server.url}/ws", autoping=False) as silent,
    ):
        await silent.send_str(
            json.dumps({"type": "sign_in", "id": 1, "name": "silent", "password": "pw"})
        )
        frame = await silent.receive(timeout=5)
        while frame.type is aiohttp.WSMsgType.PING:  # not answered: that is the point
            frame = await silent.receive(timeout=5)
        reply = json.loads(frame.data)
        assert reply["type"] == "ok"
        assert "silent" in {u.name for u in await watcher.users()}
        await wait_left(watcher, "silent")
        assert "silent" not in {u.name for u in await watcher.users()}
