"""The benchmark's raw WebSocket client, against frames written by hand (RFC 6455)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re

import pytest

from hubbub import protocol
from hubbub.bench.wire import Address, Refused, Wire, WireClosed


class Transport:
    """Collects what the wire writes."""

    def __init__(self) -> None:
        self.written = b""
        self.aborted = False

    def write(self, data: bytes) -> None:
        self.written += data

    def is_closing(self) -> bool:
        return self.aborted

    def abort(self) -> None:
        self.aborted = True


def server_frame(payload: bytes, opcode: int = 0x1, *, final: bool = True) -> bytes:
    """An unmasked server frame, with the shortest length encoding."""
    first = bytes([(0x80 if final else 0) | opcode])
    length = len(payload)
    if length < 126:
        return first + bytes([length]) + payload
    if length < 1 << 16:
        return first + bytes([126]) + length.to_bytes(2, "big") + payload
    return first + bytes([127]) + length.to_bytes(8, "big") + payload


def client_frames(data: bytes) -> list[tuple[int, bytes]]:
    """(opcode, unmasked payload) of each frame the client wrote; every one must be masked."""
    frames = []
    while data:
        assert data[1] & 0x80, "client frames are masked"
        length, start = data[1] & 0x7F, 2
        if length == 126:
            length, start = int.from_bytes(data[2:4], "big"), 4
        elif length == 127:
            length, start = int.from_bytes(data[2:10], "big"), 10
        mask, body = data[start : start + 4], data[start + 4 : start + 4 + length]
        frames.append((data[0] & 0x0F, bytes(b ^ mask[i % 4] for i, b in enumerate(body))))
        data = data[start + 4 + length :]
    return frames


def message(seq: int, text: str) -> bytes:
    event = protocol.Message(conversation="lobby", seq=seq, ts=1.0, sender="alice", text=text)
    return protocol.encode(event)


@pytest.fixture
def transport() -> Transport:
    return Transport()


@pytest.fixture
async def wire(transport: Transport) -> Wire:
    """A wire whose upgrade the server has accepted."""
    wire = Wire(Address("127.0.0.1", 8765, "/ws"))
    wire.connection_made(transport)  # type: ignore[arg-type]
    request = transport.written.decode()
    assert request.startswith("GET /ws HTTP/1.1\r\n")
    key = re.search(r"Sec-WebSocket-Key: (\S+)", request)
    assert key is not None
    accept = base64.b64encode(
        hashlib.sha1(key[1].encode() + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest()
    )
    wire.data_received(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
    )
    await wire.opened
    transport.written = b""
    return wire


async def test_messages_with_7_16_and_64_bit_lengths_are_read_across_any_split(wire: Wire) -> None:
    frames = [
        server_frame(message(1, "short")),
        server_frame(message(2, "x" * 300)),
        server_frame(message(3, "y" * 70_000)),
        server_frame(b'{"type":"user_joined","name":"bob","status":"online"}'),
    ]
    data = b"".join(frames)
    for start in range(0, len(data), 7):
        wire.data_received(data[start : start + 7])

    assert [(m.conversation, m.seq, len(m.text or "")) for m in wire.messages] == [
        ("lobby", 1, 5),
        ("lobby", 2, 300),
        ("lobby", 3, 70_000),
    ]
    assert len(wire.arrivals) == 3
    assert wire.problems == []


async def test_a_fragmented_message_is_put_together(wire: Wire) -> None:
    whole = message(1, "in two parts")
    wire.data_received(server_frame(whole[:10], final=False) + server_frame(whole[10:], opcode=0x0))

    assert [m.text for m in wire.messages] == ["in two parts"]


async def test_a_ping_is_answered_with_a_masked_pong(wire: Wire, transport: Transport) -> None:
    wire.data_received(server_frame(b"are you there", opcode=0x9))

    assert client_frames(transport.written) == [(0xA, b"are you there")]


async def test_a_request_gets_its_ok_or_its_error(wire: Wire, transport: Transport) -> None:
    answered = wire.submit(protocol.Calc(id=wire.next_id(), expression="1+1"))
    refused = wire.submit(protocol.Calc(id=wire.next_id(), expression="1/0"))
    sent = [protocol.decode_request(payload) for _, payload in client_frames(transport.written)]
    assert [type(request) for request in sent] == [protocol.Calc, protocol.Calc]

    wire.data_received(
        server_frame(b'{"type":"ok","id":1,"expression":"1+1","result":"2"}')
        + server_frame(b'{"type":"error","id":2,"code":"calc_error","message":"no"}')
    )

    assert (await answered).type == "ok"
    with pytest.raises(Refused, match="calc_error"):
        await refused


async def test_a_close_from_the_server_is_answered_and_fails_what_waits(
    wire: Wire, transport: Transport
) -> None:
    waiting = wire.submit(protocol.Users(id=wire.next_id()))
    transport.written = b""
    wire.data_received(server_frame((4000).to_bytes(2, "big") + b"too slow", opcode=0x8))
    wire.connection_lost(None)

    assert wire.close_code == 4000
    assert client_frames(transport.written) == [(0x8, (4000).to_bytes(2, "big"))]
    with pytest.raises(WireClosed):
        await waiting
    assert wire.lost.done()


async def test_an_error_nobody_asked_for_is_a_problem(wire: Wire) -> None:
    wire.data_received(server_frame(b'{"type":"error","id":null,"code":"bad_frame","message":"?"}'))
    wire.data_received(server_frame(b"\x00\x01", opcode=0x2))

    assert len(wire.problems) == 2


async def test_a_refused_upgrade_fails_the_opening(transport: Transport) -> None:
    wire = Wire(Address("127.0.0.1", 8765, "/ws"))
    wire.connection_made(transport)  # type: ignore[arg-type]
    wire.data_received(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")

    with pytest.raises(WireClosed, match="404"):
        await asyncio.wait_for(wire.opened, 1)
    assert transport.aborted
