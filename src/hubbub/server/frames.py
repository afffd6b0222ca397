"""The client's WebSocket frames, read without I/O (RFC 6455 section 5), and the close frame.

:class:`FrameReader` is fed the bytes a socket received, in pieces of any size, and hands
out one event at a time (:meth:`FrameReader.next_event`), like h11's ``receive_data`` and
``next_event``: the caller may stop taking events (the connection has enough requests in
flight) and the bytes wait in the reader until it asks again.

It accepts what a client may send and nothing else: every frame masked, no extension
bits, only the six opcodes, control frames of at most 125 bytes and never fragmented,
continuation frames only inside a fragmented message. A violation ends the stream with a
:class:`Failure` of 1002 (protocol error); text that is not UTF-8 (checked piece by piece,
so a message fails at its first bad fragment) with 1007; a message longer than the limit
with 1009, as soon as a frame's header announces it, before its payload is buffered.
After a :class:`Failure` or a :class:`Close` the reader hands out nothing more: nothing
may follow a close frame.

The server's own frames, its close frame among them, are built in outbound.py.
"""

from __future__ import annotations

import codecs
import struct
from dataclasses import dataclass

from hubbub.server.outbound import CLOSE, CLOSE_CODE, MAX_CONTROL, NO_STATUS, PING, PONG, TEXT

PROTOCOL_ERROR = 1002
INVALID_DATA = 1007
TOO_BIG = 1009

_CONTINUATION, _BINARY = 0x0, 0x2
_DATA = (TEXT, _BINARY)
_MEDIUM = struct.Struct("!H")
_LONG = struct.Struct("!Q")


@dataclass(frozen=True, slots=True)
class Text:
    data: str


@dataclass(frozen=True, slots=True)
class Binary:
    data: bytes


@dataclass(frozen=True, slots=True)
class Ping:
    payload: bytes


@dataclass(frozen=True, slots=True)
class Pong:
    payload: bytes


@dataclass(frozen=True, slots=True)
class Close:
    """The peer's close frame: its code (:data:`NO_STATUS` when it gave none) and reason."""

    code: int
    reason: str


@dataclass(frozen=True, slots=True)
class Failure:
    """The client broke the protocol: close the connection with ``code``, saying ``reason``."""

    code: int
    reason: str


Event = Text | Binary | Ping | Pong | Close | Failure


def _closable(code: int) -> bool:
    """Whether a peer may send ``code`` in a close frame (RFC 6455 section 7.4)."""
    return 1000 <= code <= 1003 or 1007 <= code <= 1014 or 3000 <= code <= 4999


def unmask(mask: bytes, payload: bytes) -> bytes:
    """XOR ``payload`` with the 4-byte ``mask`` repeated, as one big-integer operation."""
    size = len(payload)
    if not size:
        return payload
    key = (mask * ((size + 3) // 4))[:size]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(key, "little")).to_bytes(
        size, "little"
    )


class FrameReader:
    """Client frames in, events out; see the module's docstring."""

    __slots__ = ("_at", "_buffer", "_decoder", "_ended", "_kind", "_limit", "_parts", "_size")

    def __init__(self, limit: int) -> None:
        self._limit = limit
        """The longest message accepted, in bytes."""
        self._buffer = b""
        self._at = 0
        """Where the next frame starts in ``_buffer``."""
        self._kind = 0
        """The opcode of the fragmented message under way; 0 when none is."""
        self._parts: list[bytes] | None = None
        self._size = 0
        self._decoder: codecs.IncrementalDecoder | None = None
        self._ended = False

    def feed(self, data: bytes) -> None:
        if self._ended:
            return
        if self._at < len(self._buffer):
            self._buffer = self._buffer[self._at :] + data
        else:
            self._buffer = data
        self._at = 0

    def next_event(self) -> Event | None:
        """The next complete event, or None until more bytes come (or after a failure)."""
        while not self._ended:
            header = self._header()
            if header is None:
                return None
            if isinstance(header, Failure):
                self._end()
                return header
            first, size, start = header
            end = start + size
            if len(self._buffer) < end:
                return None
            payload = unmask(self._buffer[start - 4 : start], self._buffer[start:end])
            if end == len(self._buffer):
                # All read: an idle connection keeps no copy of its last frame.
                self._buffer, self._at = b"", 0
            else:
                self._at = end
            event = self._event(first, payload)
            if event is not None:
                if isinstance(event, Failure | Close):
                    self._end()
                return event
        return None

    def _end(self) -> None:
        self._ended = True
        self._buffer = b""
        self._at = 0
        self._reset()

    def _header(self) -> tuple[int, int, int] | Failure | None:
        """The first byte, payload size and payload offset of the next frame, once its
        header is in; a :class:`Failure` if the header breaks the rules."""
        buffer, at = self._buffer, self._at
        if len(buffer) < at + 2:
            return None
        first, second = buffer[at], buffer[at + 1]
        opcode, final = first & 0x0F, first & 0x80
        if first & 0x70:
            return Failure(PROTOCOL_ERROR, "no extension was agreed: reserved bits must be 0")
        if not second & 0x80:
            return Failure(PROTOCOL_ERROR, "a client's frames must be masked")
        size, start = second & 0x7F, at + 2
        if opcode >= CLOSE:
            if opcode not in (CLOSE, PING, PONG):
                return Failure(PROTOCOL_ERROR, f"unknown opcode {opcode:#x}")
            if not final:
                return Failure(PROTOCOL_ERROR, "a control frame must not be fragmented")
            if size > MAX_CONTROL:
                return Failure(PROTOCOL_ERROR, "a control frame carries at most 125 bytes")
        elif opcode == _CONTINUATION:
            if not self._kind:
                return Failure(PROTOCOL_ERROR, "a continuation frame with no message to continue")
        elif opcode in _DATA:
            if self._kind:
                return Failure(PROTOCOL_ERROR, "a new message before the fragmented one ended")
        else:
            return Failure(PROTOCOL_ERROR, f"unknown opcode {opcode:#x}")
        if size == 126:
            if len(buffer) < at + 4:
                return None
            (size,) = _MEDIUM.unpack_from(buffer, at + 2)
            start = at + 4
        elif size == 127:
            if len(buffer) < at + 10:
                return None
            (size,) = _LONG.unpack_from(buffer, at + 2)
            if size >> 63:
                return Failure(PROTOCOL_ERROR, "a 64-bit frame length must not set its top bit")
            start = at + 10
        if opcode < CLOSE and self._size + size > self._limit:
            return Failure(TOO_BIG, f"messages are limited to {self._limit} bytes")
        start += 4
        if len(buffer) < start:
            return None
        return first, size, start

    def _event(self, first: int, payload: bytes) -> Event | None:
        opcode = first & 0x0F
        if opcode == PING:
            return Ping(payload)
        if opcode == PONG:
            return Pong(payload)
        if opcode == CLOSE:
            return _close(payload)
        final = bool(first & 0x80)
        if opcode == _BINARY or (opcode == _CONTINUATION and self._kind == _BINARY):
            return self._binary(payload, final)
        if opcode == TEXT and final:
            try:
                return Text(payload.decode())
            except UnicodeDecodeError:
                return Failure(INVALID_DATA, "a text frame must be UTF-8")
        return self._text(payload, final)

    def _binary(self, payload: bytes, final: bool) -> Binary | None:
        if final and not self._kind:
            return Binary(payload)
        self._kind = _BINARY
        whole = self._gather(payload, final)
        return None if whole is None else Binary(whole)

    def _text(self, payload: bytes, final: bool) -> Text | Failure | None:
        """A fragment of a text message: checked as UTF-8 so far, decoded once at its end."""
        if self._decoder is None:
            self._decoder = codecs.getincrementaldecoder("utf-8")()
            self._kind = TEXT
        try:
            self._decoder.decode(payload, final)
        except UnicodeDecodeError:
            return Failure(INVALID_DATA, "a text message must be UTF-8")
        whole = self._gather(payload, final)
        return None if whole is None else Text(whole.decode())

    def _gather(self, payload: bytes, final: bool) -> bytes | None:
        """Add a fragment; the whole message once ``final``."""
        if self._parts is None:
            self._parts = []
        self._parts.append(payload)
        self._size += len(payload)
        if not final:
            return None
        whole = b"".join(self._parts)
        self._reset()
        return whole

    def _reset(self) -> None:
        self._kind = self._size = 0
        self._parts = None
        self._decoder = None


def _close(payload: bytes) -> Close | Failure:
    if not payload:
        return Close(NO_STATUS, "")
    if len(payload) == 1:
        return Failure(PROTOCOL_ERROR, "a close frame's code takes 2 bytes")
    (code,) = CLOSE_CODE.unpack_from(payload)
    if not _closable(code):
        return Failure(PROTOCOL_ERROR, f"{code} may not be sent in a close frame")
    try:
        return Close(code, payload[2:].decode())
    except UnicodeDecodeError:
        return Failure(INVALID_DATA, "a close frame's reason must be UTF-8")
