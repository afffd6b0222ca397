"""A raw WebSocket client for the load generator: the upgrade by hand, frames parsed in place.

The client library reads each frame through aiohttp's client and an event queue, which
costs the benchmark more CPU per delivery than the server spends sending it: a million
deliveries read that way would measure the reader. A :class:`Wire` is an asyncio
``Protocol`` that does only what a benchmark needs: it upgrades with a plain HTTP request,
sends masked text frames, answers pings, parses the server's unmasked frames (7-, 16- and
64-bit lengths, fragments) straight out of each chunk read, decodes just the fields it
looks at with ``msgspec``, and keeps every ``message`` event in :attr:`Wire.messages`
with the moment its chunk arrived in :attr:`Wire.arrivals`, to be read after the run.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import itertools
import os
import time
from array import array
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

import msgspec

from hubbub import protocol
from hubbub.client.connection import websocket_url

_ACCEPT_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_MAX_RESPONSE_HEAD = 64 * 1024
OPEN_SECONDS = 30.0
"""How long the TCP connection and the upgrade may take."""

_CONTINUATION, _TEXT, _BINARY, _CLOSE, _PING, _PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
_FINAL_TEXT = 0x80 | _TEXT
_NORMAL_CLOSURE = 1000


class Frame(msgspec.Struct, frozen=True, gc=False):
    """The fields of a server frame the benchmark reads; the others are skipped unparsed.

    Untracked by the garbage collector: a run keeps them all until it is over.
    """

    type: str
    id: int | str | None = None
    conversation: str | None = None
    seq: int | None = None
    text: str | None = None
    code: str | None = None
    message: str | None = None
    token: str | None = None
    heads: dict[str, int] = msgspec.field(default_factory=dict)


_decode_frame = functools.lru_cache(maxsize=1 << 16)(msgspec.json.Decoder(Frame).decode)
"""Decoded frames by their bytes. The server sends one encoding of a message to everyone
who gets it, so a message reaching N connections of this process is decoded once."""


class Refused(Exception):
    """The server answered a request with an ``error`` frame."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


class WireClosed(ConnectionError):
    """The connection closed before the upgrade or before a request's reply."""


@dataclass(frozen=True, slots=True)
class Address:
    """Where the server's WebSocket endpoint is, from its ``http://`` or ``ws://`` URL."""

    host: str
    port: int
    path: str

    @classmethod
    def of(cls, url: str) -> Address:
        parts = urlsplit(websocket_url(url))
        if parts.scheme != "ws" or parts.hostname is None:
            raise ValueError(f"the benchmark speaks plain ws:// to a host, not {url!r}")
        return cls(parts.hostname, parts.port or 80, parts.path or "/")


async def open_wire(address: Address) -> Wire:
    """A new upgraded connection; raises :class:`WireClosed` or ``OSError`` if it fails."""
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(OPEN_SECONDS):
        _, wire = await loop.create_connection(lambda: Wire(address), address.host, address.port)
        try:
            await wire.opened
        except BaseException:
            wire.drop()
            raise
    return wire


class Wire(asyncio.Protocol):
    """One raw WebSocket to the server; requests are answered through futures.

    ``messages`` holds every ``message`` event received and ``arrivals`` the
    ``time.perf_counter_ns()`` at which each arrived. ``problems`` collects what the server
    should never have sent a well-behaved client: unsolicited errors, unreadable or binary
    frames. ``lost`` is set when the TCP connection ends, by whichever side.
    """

    def __init__(self, address: Address) -> None:
        loop = asyncio.get_running_loop()
        self.messages: list[Frame] = []
        self.arrivals = array("q")
        self._keep, self._stamp = self.messages.append, self.arrivals.append
        self.opened: asyncio.Future[None] = loop.create_future()
        self.lost: asyncio.Future[None] = loop.create_future()
        self.close_code: int | None = None
        self.problems: list[str] = []
        self._address = address
        self._key = base64.b64encode(os.urandom(16))
        self._transport: asyncio.Transport | None = None
        self._buffer = b""
        self._fragments: list[bytes] | None = None
        self._pending: dict[int | str, asyncio.Future[Frame]] = {}
        self._ids = itertools.count(1)
        self._upgraded = False
        self._closing = False

    # ------------------------------------------------------------------ requests

    def next_id(self) -> int:
        return next(self._ids)

    def submit(self, request: protocol.Request) -> asyncio.Future[Frame]:
        """Send ``request`` now; the future gets the ``ok`` frame or raises :class:`Refused`."""
        future: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        if self.lost.done():
            future.set_exception(WireClosed("the connection is closed"))
            return future
        self._pending[request.id] = future
        self._send(_TEXT, protocol.encode(request))
        return future

    async def request(self, request: protocol.Request) -> Frame:
        return await self.submit(request)

    def say(self, conversation: str, text: str) -> asyncio.Future[Frame]:
        """Post ``text`` to a room; the ``ok`` carries its (conversation, seq)."""
        return self.submit(protocol.Say(id=self.next_id(), text=text, conversation=conversation))

    def message_user(self, to: str, text: str) -> asyncio.Future[Frame]:
        """Send ``text`` to the user named ``to``; the ``ok`` carries its (conversation, seq)."""
        return self.submit(protocol.MessageUser(id=self.next_id(), to=to, text=text))

    def sync(self) -> asyncio.Future[Frame]:
        """Ask for something trivial: answered after whatever was queued for this connection."""
        return self.submit(protocol.Calc(id=self.next_id(), expression="0"))

    async def close(self) -> None:
        """Close with a close frame (the server ends the session at once) and wait for it."""
        if not self.lost.done():
            self._closing = True
            self._send(_CLOSE, _NORMAL_CLOSURE.to_bytes(2, "big"))
        await asyncio.shield(self.lost)

    def drop(self) -> None:
        """Cut the TCP connection with no close frame: the server parks the session."""
        if self._transport is not None:
            self._transport.abort()

    # ------------------------------------------------------------------ asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        address = self._address
        self._transport.write(
            b"GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n"
            % (address.path.encode(), address.host.encode(), address.port, self._key)
        )

    def data_received(self, data: bytes) -> None:
        if self._buffer:
            data = self._buffer + data
        if not self._upgraded:
            rest = self._upgrade(data)
            if rest is None:
                self._buffer = data
                return
            data = rest
        self._buffer = self._frames(data, time.perf_counter_ns())

    def connection_lost(self, exc: Exception | None) -> None:
        closed = WireClosed(f"the connection closed (code {self.close_code}): {exc or 'EOF'}")
        if not self.opened.done():
            self.opened.set_exception(closed)
        for future in self._pending.values():
            if not future.done():
                future.set_exception(closed)
        self._pending.clear()
        self.lost.set_result(None)

    # ------------------------------------------------------------------ reading

    def _upgrade(self, data: bytes) -> bytes | None:
        """Consume the HTTP response head and return what follows it (None: not all here yet)."""
        end = data.find(b"\r\n\r\n")
        if end < 0:
            if len(data) <= _MAX_RESPONSE_HEAD:
                return None
            self._fail_upgrade("an endless HTTP response head")
            return b""
        head, rest = data[:end].decode("latin-1"), data[end + 4 :]
        status, *header_lines = head.split("\r\n")
        headers = dict(
            (name.strip().lower(), value.strip())
            for name, _, value in (line.partition(":") for line in header_lines)
        )
        accept = base64.b64encode(hashlib.sha1(self._key + _ACCEPT_GUID).digest()).decode()
        if status.split(" ")[1:2] != ["101"] or headers.get("sec-websocket-accept") != accept:
            self._fail_upgrade(f"the server refused the upgrade: {status}")
            return b""
        self._upgraded = True
        self.opened.set_result(None)
        return rest

    def _fail_upgrade(self, reason: str) -> None:
        if not self.opened.done():
            self.opened.set_exception(WireClosed(reason))
        self.drop()

    def _frames(self, data: bytes, arrived_ns: int) -> bytes:
        """Handle every whole frame in ``data``; return the incomplete tail.

        The hot path of the benchmark, written for speed: a final text frame with a 7- or
        16-bit length (every event the server sends) costs a few operations, a lookup and
        two appends.
        """
        keep, stamp, decode = self._keep, self._stamp, _decode_frame
        pos, end = 0, len(data)
        while end - pos >= 2:
            first, length = data[pos], data[pos + 1]
            if length < 126:
                start = pos + 2
            elif length == 126:
                start = pos + 4
                if start > end:
                    break
                length = data[pos + 2] << 8 | data[pos + 3]
            elif length == 127:
                start = pos + 10
                if start > end:
                    break
                length = int.from_bytes(data[pos + 2 : start], "big")
            else:
                self.problems.append("the server sent a masked frame")
                self.drop()
                return b""
            stop = start + length
            if stop > end:
                break
            pos = stop
            if first != _FINAL_TEXT:
                self._control(first, data[start:stop], arrived_ns)
                continue
            try:
                frame = decode(data[start:stop])
            except msgspec.DecodeError as exc:
                self.problems.append(f"an unreadable frame: {exc}")
                continue
            if frame.type == "message":
                keep(frame)
                stamp(arrived_ns)
            else:
                self._answer(frame)
        return data[pos:]

    def _control(self, first: int, payload: bytes, arrived_ns: int) -> None:
        """Everything but a whole text frame: fragments, pings, close, binary."""
        opcode = first & 0x0F
        if opcode == _PING:
            self._send(_PONG, payload)
        elif opcode == _CLOSE:
            self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else None
            if not self._closing:
                self._closing = True
                self._send(_CLOSE, payload[:2])
        elif opcode == _TEXT or (opcode == _CONTINUATION and self._fragments is not None):
            fragments = self._fragments = (self._fragments or []) + [payload]
            if first & 0x80:
                self._fragments = None
                self._frames(_frame(_TEXT, b"".join(fragments), mask=None), arrived_ns)
        elif opcode != _PONG:
            self.problems.append(f"the server sent an unexpected frame (opcode {opcode})")

    def _answer(self, frame: Frame) -> None:
        """A frame that is not a message: a reply to resolve, an error to note, or an event."""
        future = None if frame.id is None else self._pending.pop(frame.id, None)
        if future is not None:
            if frame.type == "ok":
                future.set_result(frame)
            else:
                future.set_exception(Refused(frame.code or "?", frame.message or ""))
        elif frame.type == "error":
            self.problems.append(f"an error frame: {frame.code}: {frame.message}")

    # ------------------------------------------------------------------ writing

    def _send(self, opcode: int, payload: bytes) -> None:
        if self._transport is None or self._transport.is_closing():
            return
        self._transport.write(_frame(opcode, payload, mask=os.urandom(4)))


def _frame(opcode: int, payload: bytes, *, mask: bytes | None) -> bytes:
    """One final frame; RFC 6455 makes a client mask every payload with a random key."""
    length = len(payload)
    masked = 0x80 if mask is not None else 0
    if length < 126:
        header = bytes((0x80 | opcode, masked | length))
    elif length < 1 << 16:
        header = bytes((0x80 | opcode, masked | 126)) + length.to_bytes(2, "big")
    else:
        header = bytes((0x80 | opcode, masked | 127)) + length.to_bytes(8, "big")
    if mask is None:
        return header + payload
    if not length:
        return header + mask
    key = int.from_bytes((mask * (length // 4 + 1))[:length], "big")
    return header + mask + (int.from_bytes(payload, "big") ^ key).to_bytes(length, "big")
