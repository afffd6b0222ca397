"""hubbub's own WebSocket, byte by byte over real sockets: the handshake, what it refuses,
and how each side closes (src/hubbub/server/websocket.py and frames.py)."""

from __future__ import annotations

import asyncio
import json
import struct
from collections.abc import Awaitable, Callable
from typing import Any

from conftest import Running, ServerProcess, wait_joined, wait_left
from hubbub.client import Client
from hubbub.server.outbound import CLOSE_SECONDS
from ws_client import (
    BINARY,
    CLOSE,
    PING,
    PONG,
    TEXT,
    RawSocket,
    client_frame,
    close_payload,
    connect,
    handshake,
)


def request(**fields: Any) -> bytes:
    return client_frame(TEXT, json.dumps(fields).encode())


def sign_in(name: str, request_id: int = 1) -> bytes:
    return request(type="sign_in", id=request_id, name=name, password=f"pw-{name}")


async def reply(socket: RawSocket, request_id: int | None) -> dict[str, Any]:
    """The server's answer to request ``request_id``, past any events before it."""
    while True:
        opcode, payload = await socket.frame()
        assert opcode == TEXT
        frame = json.loads(payload)
        if frame.get("id") == request_id and frame["type"] in ("ok", "error"):
            return frame  # type: ignore[no-any-return]


async def signed_in_socket(url: str, name: str) -> RawSocket:
    socket = await connect(url, after=sign_in(name))
    assert socket.status == 101
    assert (await reply(socket, 1))["type"] == "ok"
    return socket


async def test_frames_in_the_handshakes_packet_are_read_and_answered_in_order(
    start_server: Callable[..., Awaitable[Running]],
) -> None:
    # Sign-in and 40 requests written together with the headers: the server reads the
    # sign-in alone, then the rest 4 at a time (reading pauses in between), and loses none.
    server = await start_server(max_in_flight=4)
    calcs = b"".join(request(type="calc", id=n, expression=f"{n} * 2") for n in range(2, 42))
    socket = await connect(server.url, after=sign_in("early") + calcs)
    try:
        assert socket.status == 101
        assert b"\r\nServer: hubbub\r\n" in socket.head
        assert (await reply(socket, 1))["type"] == "ok"
        answers = {}
        while len(answers) < 40:
            opcode, payload = await socket.frame()
            assert opcode == TEXT
            frame = json.loads(payload)
            if frame["type"] == "ok" and "result" in frame:
                answers[frame["id"]] = frame["result"]
        assert answers == {n: str(n * 2) for n in range(2, 42)}
    finally:
        socket.close()


async def test_a_handshake_hubbub_cannot_take_is_refused_with_a_sentence(
    server: Running,
) -> None:
    old = await connect(server.url, send=handshake(server.url, version="8"))
    assert old.status == 426
    assert b"\r\nSec-WebSocket-Version: 13\r\n" in old.head
    assert b"speaks WebSocket version 13 only" in await old.reader.read()
    old.close()

    bad_key = await connect(server.url, send=handshake(server.url, key="c2hvcnQ="))
    assert bad_key.status == 400
    assert b"Sec-WebSocket-Key must be 16 random bytes in base64" in await bad_key.reader.read()
    bad_key.close()

    plain = handshake(server.url).replace(b"Upgrade: websocket\r\n", b"")
    not_upgrade = await connect(server.url, send=plain)
    assert not_upgrade.status == 400
    assert b"takes WebSocket connections only" in await not_upgrade.reader.read()
    not_upgrade.close()


async def expect_close(socket: RawSocket, code: int) -> str:
    """The server closes with ``code`` and ends the socket right behind it, waiting for no
    answer (it echoed the client's close, or it reads nothing more from a peer that broke
    the protocol); the reason it gave."""
    closed_with, reason = await socket.close_frame()
    assert closed_with == code
    assert await asyncio.wait_for(socket.at_end(), CLOSE_SECONDS / 2)
    return reason


async def test_an_unmasked_frame_closes_with_1002_and_the_user_leaves(
    start_server: Callable[..., Awaitable[Running]],
    signed_in_to: Callable[..., Awaitable[Client]],
) -> None:
    # Closed like a drop: without a grace period the user leaves at once.
    server = await start_server(grace=0.0)
    watcher = await signed_in_to(server, "watcher")
    socket = await signed_in_socket(server.url, "bare")
    await wait_joined(watcher, "bare")
    await socket.send(client_frame(TEXT, b'{"type":"users","id":2}', masked=False))
    assert await expect_close(socket, 1002) == "a client's frames must be masked"
    await wait_left(watcher, "bare")


async def test_text_that_is_not_utf8_closes_with_1007(server: Running) -> None:
    socket = await signed_in_socket(server.url, "garbled")
    await socket.send(client_frame(TEXT, b'{"type":"users","id":2,"x":"\xff"}'))
    assert await expect_close(socket, 1007) == "a text frame must be UTF-8"


async def test_a_ping_is_answered_with_its_payload_and_binary_gets_bad_frame(
    server: Running,
) -> None:
    socket = await signed_in_socket(server.url, "pinger")
    try:
        await socket.send(client_frame(PING, b"are you there"))
        opcode, payload = await socket.frame()
        while opcode == TEXT:  # events of the sign-in (presence, history)
            opcode, payload = await socket.frame()
        assert (opcode, payload) == (PONG, b"are you there")
        await socket.send(client_frame(BINARY, b"\x00\x01"))
        refused = await reply(socket, None)
        assert (refused["code"], refused["message"]) == ("bad_frame", "send JSON in text frames")
    finally:
        socket.close()


async def test_a_client_close_is_echoed_and_ends_the_session_at_once(
    start_server: Callable[..., Awaitable[Running]],
    signed_in_to: Callable[..., Awaitable[Client]],
) -> None:
    # With a minute's grace a dropped user would stay listed; a clean close ends at once.
    server = await start_server(grace=60.0)
    watcher = await signed_in_to(server, "watcher")
    socket = await signed_in_socket(server.url, "leaver")
    await wait_joined(watcher, "leaver")
    await socket.send(client_frame(CLOSE, close_payload(1000, "bye")))
    assert await expect_close(socket, 1000) == ""
    await wait_left(watcher, "leaver")


async def test_a_server_shutting_down_closes_with_1001_and_waits_for_the_answer(
    server_process: ServerProcess,
) -> None:
    server_process.start()
    socket = await signed_in_socket(server_process.url, "stayer")
    stopping = asyncio.create_task(asyncio.to_thread(server_process.interrupt))
    code, reason = await socket.close_frame()
    assert (code, reason) == (1001, "server shutting down")
    await socket.send(client_frame(CLOSE, struct.pack("!H", 1001)))
    assert await socket.at_end()
    assert await stopping == 0
