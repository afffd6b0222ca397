"""The sending side of the WebSockets: frames built once, queued, written once per loop turn.

A message for 500 people is encoded once and framed once (:func:`text_frame`); each
recipient's :class:`Outbound` only appends those bytes to a list. One :class:`Flusher`
per server then writes every connection that has something queued, once per event-loop
turn, all of its frames in a single ``transport.write``: a burst of messages costs each
connection one system call, not one per message. Under a fan-out the flushes are paced
by their own duration (at most :data:`MAX_PAUSE_SECONDS`), so that several commits'
deliveries share each write; a quiet server's frames wait for no timer. Presence
announcements, queued *lazily*, may wait up to :data:`LAZY_SECONDS` for company, so that
a storm of sign-ins does not cost every connection a write per newcomer.

A reader too slow to keep up cannot grow the server's memory: past ``limit`` bytes
waiting in its transport, the connection is closed with :data:`SLOW_READER`, or cut if
it does not read that either; and all readers' backlogs together stay within the
:class:`~hubbub.server.backlog.Backlog`'s budget. While a resumed session is catching up,
live frames are held back and released after the replay, minus any message the replay
already carried.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import time
from typing import NewType, Protocol

from hubbub.server.backlog import Backlog

SLOW_READER = 4000
CLOSE_SECONDS = 2.0
"""How long a closing connection may take to flush and shake hands before it is cut."""

Frame = NewType("Frame", bytes)
"""A complete WebSocket frame, ready for the socket."""

TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA
"""The opcodes of the frames the server sends (RFC 6455 section 5.2)."""
NO_STATUS = 1005
"""The code a close frame without a payload stands for; never sent in a frame."""
_FINAL = 0x80
_SHORT = struct.Struct("!BB")
_MEDIUM = struct.Struct("!BBH")
_LONG = struct.Struct("!BBQ")
CLOSE_CODE = struct.Struct("!H")
"""A close frame's status code, the first two bytes of its payload."""
MAX_CONTROL = 125
"""The most bytes a control frame (close, ping, pong) carries."""
_REASON_BYTES = MAX_CONTROL - CLOSE_CODE.size


def frame(opcode: int, payload: bytes) -> Frame:
    """A final, unmasked frame of ``opcode`` holding ``payload`` (RFC 6455 section 5.2)."""
    size, first = len(payload), _FINAL | opcode
    if size < 126:
        header = _SHORT.pack(first, size)
    elif size < 1 << 16:
        header = _MEDIUM.pack(first, 126, size)
    else:
        header = _LONG.pack(first, 127, size)
    return Frame(header + payload)


def text_frame(payload: bytes) -> Frame:
    return frame(TEXT, payload)


def close_frame(code: int, reason: str) -> Frame:
    """A close frame; :data:`NO_STATUS` sends none, a reason too long for it is cut short."""
    if code == NO_STATUS:
        return frame(CLOSE, b"")
    data = reason.encode()
    if len(data) > _REASON_BYTES:
        data = data[:_REASON_BYTES].decode("utf-8", "ignore").encode()
    return frame(CLOSE, CLOSE_CODE.pack(code) + data)


PING_FRAME = frame(PING, b"")
"""A final, unmasked ping with no payload (RFC 6455 section 5.5.2)."""


class Outlet(Protocol):
    """Where the server queues one connection's frames: :class:`Outbound` for a WebSocket.

    Every recipient of a delivery is handed the same :data:`Frame` object, so an outlet for
    another wire protocol can turn it into its own bytes once per delivery, not per recipient.
    """

    def push(
        self, frame: Frame, mark: tuple[str, int] | None = None, lazy: bool = False
    ) -> None: ...

    def push_now(self, frame: Frame, mark: tuple[str, int] | None = None) -> None: ...

    def hold(self) -> None: ...

    def release(self) -> None: ...

    async def close(self, code: int, message: str) -> None: ...

    def stop(self) -> None: ...


LAZY_SECONDS = 0.02
"""How long a presence announcement may wait to share a write with other frames."""

MAX_PAUSE_SECONDS = 0.005
"""The longest a flush may wait after a long one (see :class:`Flusher`)."""


class Flusher:
    """Writes every connection with queued frames once, at the end of the loop turn.

    After a flush that took a while (a fan-out to hundreds of connections), the next
    one waits as long as that one took, at most :data:`MAX_PAUSE_SECONDS`: what the
    server delivers meanwhile then shares a write per connection, so writing takes at
    most about half of the loop's time. A quiet server's flushes take microseconds, so
    they still go out at the end of the turn that queued them.

    Urgent frames (replies, replayed history) do not wait for that pause: their
    connection is written at the end of the turn. Connections with only lazy frames
    queued are written :data:`LAZY_SECONDS` later, or sooner if something else joins them.
    """

    __slots__ = ("_later", "_loop", "_now", "_resume_at", "_soon")

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._now: list[Outbound] = []
        self._soon: list[Outbound] = []
        self._later: list[Outbound] = []
        self._resume_at = 0.0
        """When the next flush may run: the last one's end plus its own duration."""

    def now(self, outbound: Outbound) -> None:
        if not self._now:
            self._loop.call_soon(self._flush_now)
        self._now.append(outbound)

    def soon(self, outbound: Outbound) -> None:
        if not self._soon:
            pause = self._resume_at - time.monotonic()
            if pause > 0:
                self._loop.call_later(pause, self._flush_soon)
            else:
                self._loop.call_soon(self._flush_soon)
        self._soon.append(outbound)

    def later(self, outbound: Outbound) -> None:
        if not self._later:
            self._loop.call_later(LAZY_SECONDS, self._flush_later)
        self._later.append(outbound)

    def _flush_now(self) -> None:
        due, self._now = self._now, []
        _flush_each(due)

    def _flush_soon(self) -> None:
        start = time.monotonic()
        due, self._soon = self._soon, []
        _flush_each(due)
        end = time.monotonic()
        self._resume_at = end + min(end - start, MAX_PAUSE_SECONDS)

    def _flush_later(self) -> None:
        due, self._later = self._later, []
        _flush_each(due)


def _flush_each(due: list[Outbound]) -> None:
    for outbound in due:
        outbound.flush()


_IDLE, _LATER, _SOON, _NOW = 0, 1, 2, 3
"""When an :class:`Outbound` will be written: nothing queued, lazily, at the next paced
flush, at the turn's end."""


class Outbound:
    __slots__ = (
        "_backlog",
        "_closer",
        "_closing",
        "_due",
        "_ended",
        "_flusher",
        "_gone",
        "_held",
        "_held_bytes",
        "_limit",
        "_peer_failed",
        "_pending",
        "_replayed",
        "_transport",
    )

    def __init__(
        self,
        transport: asyncio.Transport,
        flusher: Flusher,
        limit: int,
        backlog: Backlog,
    ) -> None:
        self._transport = transport
        self._flusher = flusher
        self._limit = limit
        self._backlog = backlog
        self._pending: list[Frame] = []
        self._due = _IDLE
        self._held: list[tuple[Frame, tuple[str, int] | None]] | None = None
        self._held_bytes = 0
        self._replayed: dict[str, int] | None = None
        """While catching up: the last ``seq`` replayed per conversation."""
        self._closing = False
        self._closer: asyncio.Task[None] | None = None
        """The slow reader's close, referenced here so the loop does not drop the task."""
        self._ended: asyncio.Future[None] | None = None
        """While closing: done when the socket has closed."""
        self._gone = False
        """The socket has closed (:meth:`ended`)."""
        self._peer_failed = False
        """The peer broke the protocol (:meth:`peer_failed`)."""

    def push(self, frame: Frame, mark: tuple[str, int] | None = None, lazy: bool = False) -> None:
        """Queue a frame; while catching up, live frames wait until :meth:`release`.

        This runs once per recipient of every event, so it does its work inline.
        """
        if self._held is not None:
            self._held.append((frame, mark))
            self._held_bytes += len(frame)
            if self._held_bytes > self._limit:
                self._too_slow()
        elif not self._closing:
            self._pending.append(frame)
            if self._due >= _SOON:
                return
            if not lazy:
                self._due = _SOON
                self._flusher.soon(self)
            elif self._due == _IDLE:
                self._due = _LATER
                self._flusher.later(self)

    def push_now(self, frame: Frame, mark: tuple[str, int] | None = None) -> None:
        """Queue a frame ahead of anything held back (replies, replayed history).

        While catching up, a replayed entry's ``mark`` drops its live copy at :meth:`release`.
        """
        if self._closing:
            return
        self._pending.append(frame)
        if mark is not None and self._replayed is not None:
            conversation, seq = mark
            self._replayed[conversation] = max(seq, self._replayed.get(conversation, 0))
        if self._due != _NOW:
            self._due = _NOW
            self._flusher.now(self)

    def hold(self) -> None:
        """Start catching up: hold live frames back until :meth:`release`."""
        self._held = []
        self._replayed = {}

    def release(self) -> None:
        held, self._held = self._held or [], None
        replayed, self._replayed = self._replayed or {}, None
        self._held_bytes = 0
        for frame, mark in held:
            if mark is None or mark[1] > replayed.get(mark[0], 0):
                self.push_now(frame)

    def flush(self) -> None:
        """Write everything queued in one go; called by the :class:`Flusher`."""
        pending, self._pending = self._pending, []
        self._due = _IDLE
        if self._closing or not pending or self._transport.is_closing():
            return
        self._transport.write(pending[0] if len(pending) == 1 else b"".join(pending))
        queued = self._transport.get_write_buffer_size()
        if queued > self._limit:
            self._too_slow()
        elif queued:
            self._backlog.note(self, queued)

    @property
    def closing(self) -> bool:
        return self._closing

    async def close(self, code: int, message: str) -> None:
        """Send what is queued, then a close frame; a peer that does not read is cut off."""
        self.flush()
        self._closing = True
        await self._close_within(code, message)

    def answer_close(self, code: int) -> None:
        """The peer sent a close frame: answer ours, closing the socket behind it.

        If ours went first, the peer's is its answer and the close handshake is done;
        if the peer's went first, ours echoes its code after the frames already queued.
        """
        if not self._closing:
            self.flush()
            self._closing = True
            self._transport.write(close_frame(code, ""))
        self._transport.close()

    def peer_failed(self) -> None:
        """The peer broke the WebSocket protocol, so nothing more is read from it: the
        close frame to come is the last thing written, and the socket closes behind it
        instead of waiting for an answer that would not be read (RFC 6455, 7.1.7)."""
        self._peer_failed = True

    def ended(self) -> None:
        """The socket has closed (the WebSocket protocol's ``connection_lost``)."""
        self._gone = True
        if self._ended is not None and not self._ended.done():
            self._ended.set_result(None)

    def stop(self) -> None:
        """The connection is gone: drop whatever is queued."""
        self._closing = True
        self._pending.clear()
        self._held = self._replayed = None
        self._backlog.forget(self)

    def ping(self) -> None:
        """Queue a ping after the frames already queued (server/heartbeat.py)."""
        self.push_now(PING_FRAME)

    def pong(self, payload: bytes) -> None:
        """Answer the peer's ping with its payload."""
        self.push_now(frame(PONG, payload))

    def lost(self) -> None:
        """The peer did not answer a ping: cut the socket; reading it then ends, unclean.

        One already closing is left to its close, which cuts it within CLOSE_SECONDS.
        """
        if self._closing:
            return
        self.stop()
        self._transport.abort()

    def queued_bytes(self) -> int:
        return 0 if self._closing else self._transport.get_write_buffer_size()

    def cut(self) -> None:
        """Close as a slow reader because all slow readers together are over the budget."""
        self._too_slow("too slow to read its events, while the server is short of memory")

    def _too_slow(self, reason: str = "too slow to read its events") -> None:
        if self._closing:
            return
        self.stop()
        self._closer = asyncio.get_running_loop().create_task(
            self._close_within(SLOW_READER, reason)
        )

    async def _close_within(self, code: int, message: str) -> None:
        """Close with ``code``, wait for the peer's close or the socket's end, at most
        CLOSE_SECONDS; then cut it. Returns once the socket has closed. After a
        :meth:`peer_failed`, the socket closes right behind the close frame.

        Nothing is written if the socket is already closing (the peer's close was answered).
        """
        if self._gone:
            return
        if self._ended is None:
            # The first close only: a second one waits for the same end.
            self._ended = asyncio.get_running_loop().create_future()
            if not self._transport.is_closing():
                self._transport.write(close_frame(code, message))
                if self._peer_failed:
                    self._transport.close()
        ended = self._ended
        try:
            async with asyncio.timeout(CLOSE_SECONDS):
                await asyncio.shield(ended)
        except TimeoutError:
            self._transport.abort()
            # The transport reports its end one loop turn after abort(); this only bounds it.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(CLOSE_SECONDS):
                    await ended
