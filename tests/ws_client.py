"""A WebSocket client over a bare socket, for tests that must send what a library would not.

It writes the handshake and the frames byte for byte (:func:`client_frame` builds any frame,
masked or not, fragmented or not) and reads the server's frames as they are.
"""

from __future__ import annotations

import asyncio
import base64
import os
import struct
from dataclasses import dataclass
from urllib.parse import urlsplit

TEXT, BINARY, CLOSE, PING, PONG, CONTINUATION = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0
WAIT = 10.0
"""Seconds to wait for the server's next frame, or for its end of the socket."""


def client_frame(
    opcode: int,
    payload: bytes,
    *,
    final: bool = True,
    masked: bool = True,
    long_length: bool = False,
) -> bytes:
    """One frame as a client sends it (RFC 6455 section 5.2); ``long_length`` writes the
    length in 64 bits whatever it is."""
    size = len(payload)
    head = bytes([(0x80 if final else 0) | opcode])
    mask_bit = 0x80 if masked else 0
    if long_length or size >= 1 << 16:
        head += bytes([mask_bit | 127]) + struct.pack("!Q", size)
    elif size >= 126:
        head += bytes([mask_bit | 126]) + struct.pack("!H", size)
    else:
        head += bytes([mask_bit | size])
    if not masked:
        return head + payload
    mask = os.urandom(4)
    key = (mask * (size // 4 + 1))[:size]
    body = (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(size, "big")
    return head + mask + body


def close_payload(code: int, reason: str = "") -> bytes:
    return struct.pack("!H", code) + reason.encode()


def handshake(url: str, *, version: str = "13", key: str | None = None) -> bytes:
    address = urlsplit(url)
    key = key if key is not None else base64.b64encode(os.urandom(16)).decode()
    return (
        f"GET /ws HTTP/1.1\r\nHost: {address.netloc}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        f"Sec-WebSocket-Version: {version}\r\n\r\n"
    ).encode()


@dataclass
class RawSocket:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    head: bytes
    """The server's answer to the handshake: status line and headers."""

    @property
    def status(self) -> int:
        return int(self.head.split(b" ", 2)[1])

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def send_text(self, text: str) -> None:
        await self.send(client_frame(TEXT, text.encode()))

    async def frame(self) -> tuple[int, bytes]:
        """The server's next frame: its opcode and payload."""
        async with asyncio.timeout(WAIT):
            first, second = await self.reader.readexactly(2)
            size = second & 0x7F
            if size == 126:
                (size,) = struct.unpack("!H", await self.reader.readexactly(2))
            elif size == 127:
                (size,) = struct.unpack("!Q", await self.reader.readexactly(8))
            assert not second & 0x80, "the server's frames are not masked"
            return first & 0x0F, await self.reader.readexactly(size)

    async def close_frame(self) -> tuple[int, str]:
        """Read past other frames to the server's close frame: its code and reason."""
        while True:
            opcode, payload = await self.frame()
            if opcode == CLOSE:
                (code,) = struct.unpack("!H", payload[:2])
                return code, payload[2:].decode()

    async def at_end(self) -> bool:
        """Whether the server closed the socket (after whatever it still sends)."""
        async with asyncio.timeout(WAIT):
            while await self.reader.read(65536):
                pass
        return True

    def close(self) -> None:
        self.writer.close()


async def connect(url: str, *, send: bytes | None = None, after: bytes = b"") -> RawSocket:
    """Open a socket to the server of ``url`` and send the handshake (or ``send``) with
    ``after`` in the same write; then read the answer's head."""
    address = urlsplit(url)
    assert address.hostname == "127.0.0.1", "tests talk to this machine only"
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    writer.write((send if send is not None else handshake(url)) + after)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    return RawSocket(reader, writer, head)
