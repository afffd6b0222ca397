"""What the abuse tests do to a server: bare WebSockets, raw sockets, half-sent requests.

Everything targets 127.0.0.1; a second "address" is 127.0.0.2 as the *source* of a
connection (all of 127.0.0.0/8 is this machine), so one test can be two machines.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

ANOTHER_ADDRESS = "127.0.0.2"


def ws_url(url: str) -> str:
    return url.replace("http", "ws", 1) + "/ws"


@asynccontextmanager
async def session_from(address: str | None = None) -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP session whose connections come from ``address`` (default: 127.0.0.1)."""
    connector = aiohttp.TCPConnector(local_addr=(address, 0) if address else None)
    async with aiohttp.ClientSession(connector=connector) as session:
        yield session


async def sign_in(ws: aiohttp.ClientWebSocketResponse, name: str) -> dict[str, Any]:
    """Sign in (claiming the name) over a bare WebSocket; the server's answer."""
    await ws.send_json({"type": "sign_in", "id": 0, "name": name, "password": f"pw-{name}"})
    async with asyncio.timeout(30):
        while True:
            answer: dict[str, Any] = await ws.receive_json()
            if answer.get("id") == 0:
                return answer


async def close_code(ws: aiohttp.ClientWebSocketResponse, within: float = 30) -> int | None:
    """Read (and answer pings) until the server closes the socket; its close code."""
    async with asyncio.timeout(within):
        async for _ in ws:
            pass
    return ws.close_code


async def flood(url: str, name: str, count: int) -> tuple[list[dict[str, Any]], int | None]:
    """Sign in over a bare WebSocket, send up to ``count`` lobby messages as fast as the
    socket takes them (until the server closes it), and read every answer until the
    server closes: (answers, close code)."""
    async with session_from() as session, session.ws_connect(ws_url(url)) as ws:
        assert (await sign_in(ws, name))["type"] == "ok"
        with contextlib.suppress(aiohttp.ClientConnectionResetError):
            for n in range(1, count + 1):
                await ws.send_json({"type": "say", "id": n, "text": f"spam {n}"})
        answers: list[dict[str, Any]] = []
        async with asyncio.timeout(60):
            async for frame in ws:
                if frame.type is aiohttp.WSMsgType.TEXT:
                    data = json.loads(frame.data)
                    if data.get("id") is not None:
                        answers.append(data)
        return answers, ws.close_code


def raw_connection(port: int, sends: bytes = b"") -> socket.socket:
    """A TCP connection to the server that sends ``sends`` and nothing more."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    if sends:
        sock.sendall(sends)
    return sock


def answer_of(sock: socket.socket) -> bytes:
    """Everything the server writes before it closes the connection."""
    received = b""
    while chunk := sock.recv(4096):
        received += chunk
    sock.close()
    return received


HALF_A_REQUEST = b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
"""Request headers that never end (no empty line)."""
