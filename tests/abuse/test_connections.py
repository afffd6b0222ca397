"""Connection attacks, rerun against a real ``hubbub serve`` with its limits on: sockets
that never sign in, one address opening many sockets, half-sent requests, and a server
full of connections. Each asserts what happens to the attacker and to everyone else."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from abuse.attacks import (
    ANOTHER_ADDRESS,
    HALF_A_REQUEST,
    answer_of,
    close_code,
    raw_connection,
    session_from,
    sign_in,
    ws_url,
)
from conftest import ServerProcess
from hubbub.client import Client

SIGN_IN_LATE = 4002


def serve(server: ServerProcess, *options: str) -> ServerProcess:
    server.limits = True
    server.options = options
    server.start()
    return server


async def test_sockets_that_never_sign_in_are_closed_even_if_they_answer_pings(
    server_process: ServerProcess,
) -> None:
    server = serve(server_process, "--sign-in-deadline", "1")
    async with session_from() as session:
        # heartbeat: the client pings too, and answers the server's pings by itself.
        idle = [await session.ws_connect(ws_url(server.url), heartbeat=0.3) for _ in range(5)]
        member = Client.connect(server.url, reconnect=False)
        await member.open()
        await member.sign_in("alice", "pw-alice")
        codes = await asyncio.gather(*(close_code(ws) for ws in idle))
        assert codes == [SIGN_IN_LATE] * 5
        sent = await member.say("still here after the idle sockets were closed")
        assert sent.seq >= 1
        await member.close()


async def test_a_late_sign_in_is_told_why_it_was_closed(server_process: ServerProcess) -> None:
    # A short deadline: test_limit_options checks that the default is the documented 10 s.
    server = serve(server_process, "--sign-in-deadline", "1.5")
    async with session_from() as session, session.ws_connect(ws_url(server.url)) as ws:
        message = await ws.receive(timeout=60)
        assert message.type is aiohttp.WSMsgType.CLOSE
        assert message.data == SIGN_IN_LATE
        assert message.extra == "sign in within 1.5 s of connecting"


async def test_one_address_is_refused_past_its_cap_while_another_signs_in(
    server_process: ServerProcess,
) -> None:
    server = serve(server_process)  # the default cap: 20 WebSockets per address
    async with session_from() as attacker:
        held = [await attacker.ws_connect(ws_url(server.url)) for _ in range(20)]
        for _ in range(5):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await attacker.ws_connect(ws_url(server.url))
            assert refused.value.status == 429
        upgrade = {
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        }
        async with attacker.get(f"{server.url}/ws", headers=upgrade) as response:
            assert response.status == 429
            assert "already has 20 chat connections open" in await response.text()

        async with (
            session_from(ANOTHER_ADDRESS) as other,
            other.ws_connect(ws_url(server.url)) as ws,
        ):
            assert (await sign_in(ws, "bob"))["type"] == "ok"

        await held.pop().close()
        again = await _connect_when_room(attacker, ws_url(server.url))
        assert (await sign_in(again, "mallory"))["type"] == "ok"
        for ws in [*held, again]:
            await ws.close()


async def _connect_when_room(
    session: aiohttp.ClientSession, url: str
) -> aiohttp.ClientWebSocketResponse:
    """Connect once the server has counted a closed socket out (it hears of it a bit later)."""
    async with asyncio.timeout(30):
        while True:
            try:
                return await session.ws_connect(url)
            except aiohttp.WSServerHandshakeError:
                await asyncio.sleep(0.1)


async def test_half_open_requests_are_closed_and_capped_per_address(
    server_process: ServerProcess,
) -> None:
    server = serve(server_process, "--handshake-timeout", "1", "--handshakes-per-address", "4")
    silent = [raw_connection(server.port) for _ in range(2)]
    halves = [raw_connection(server.port, HALF_A_REQUEST) for _ in range(2)]
    await asyncio.sleep(0.5)  # let the server accept all four before the fifth
    refused = await asyncio.to_thread(answer_of, raw_connection(server.port, HALF_A_REQUEST))
    assert refused.startswith(b"HTTP/1.1 429 ")
    assert b"still sending their request" in refused

    async with session_from(ANOTHER_ADDRESS) as other, other.ws_connect(ws_url(server.url)) as ws:
        assert (await sign_in(ws, "bob"))["type"] == "ok"

    answers = await asyncio.gather(*(asyncio.to_thread(answer_of, s) for s in silent + halves))
    for answer in answers:
        assert answer.startswith(b"HTTP/1.1 408 ")
        assert b"did not arrive within 1 seconds" in answer

    async with session_from() as session, session.ws_connect(ws_url(server.url)) as ws:
        assert (await sign_in(ws, "carol"))["type"] == "ok"


async def test_a_full_server_refuses_newcomers_with_503(server_process: ServerProcess) -> None:
    server = serve(server_process, "--max-connections", "6")
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    async with session_from() as session:
        kept = [await _admitted(session, server.url) for _ in range(6)]
        refused = await asyncio.to_thread(answer_of, raw_connection(server.port, request))
        assert refused.startswith(b"HTTP/1.1 503 ")
        assert b"as many connections open as it can take" in refused

        await kept.pop().close()
        kept.append(await _admitted(session, server.url))
        for ws in kept:
            await ws.close()


async def _admitted(
    session: aiohttp.ClientSession, url: str
) -> aiohttp.ClientWebSocketResponse:
    """An open WebSocket (it holds its connection; a plain HTTP answer closes it), retrying
    while the server still counts one that was just closed."""
    async with asyncio.timeout(30):
        while True:
            try:
                return await session.ws_connect(ws_url(url))
            except aiohttp.WSServerHandshakeError:
                await asyncio.sleep(0.1)
