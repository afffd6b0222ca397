"""The IRC side of a connection's outbound: the hub's frames become IRC lines.

The server hands every recipient of a delivery the same frame object. :class:`Decoded`
remembers the last frame it decoded, so a delivery to a thousand IRC users is decoded
once, and the lines rendered from it are cached on it per variant (with or without
tags), so it is rendered once per variant too, not once per recipient.

A slow IRC reader is treated like a WebSocket one: past a backlog of its own of
``ServerConfig.send_buffer`` bytes (4 MiB) it is cut, and its backlog counts
in the server's slow-readers budget (:class:`~hubbub.server.backlog.Backlog`), which cuts
the readers furthest behind, on IRC or not, when all of them together are over it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import msgspec

from hubbub.protocol import Error, Ok, ServerFrame
from hubbub.server.backlog import Backlog
from hubbub.server.outbound import Frame

if TYPE_CHECKING:
    from hubbub.irc.connection import IrcConnection

log = logging.getLogger("hubbub.irc")

_frames = msgspec.json.Decoder(ServerFrame)


def payload(frame: Frame) -> bytes:
    """The JSON inside a server-made (unmasked) WebSocket text frame."""
    size = frame[1] & 0x7F
    return frame[2:] if size < 126 else frame[4:] if size == 126 else frame[10:]


class Decoded:
    """One delivery's frame, decoded once, with the IRC lines rendered from it by variant."""

    __slots__ = ("data", "frame", "lines", "value")

    def __init__(self, frame: Frame) -> None:
        self.frame = frame
        self.data = payload(frame)
        self.value: Any = _frames.decode(self.data)
        self.lines: dict[Any, bytes] = {}


class FrameCache:
    """The last delivery seen by any IRC outlet (deliveries reach their recipients in a row)."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: Decoded | None = None

    def decode(self, frame: Frame) -> Decoded:
        last = self._last
        if last is None or last.frame is not frame:
            last = self._last = Decoded(frame)
        return last


class Flushes:
    """The IRC outlets with lines queued in this loop turn: one callback at the turn's end
    writes each of them once (as the WebSocket's Flusher does), not one callback each."""

    __slots__ = ("_due",)

    def __init__(self) -> None:
        self._due: list[IrcOutlet] = []

    def soon(self, outlet: IrcOutlet) -> None:
        if not self._due:
            asyncio.get_running_loop().call_soon(self._flush)
        self._due.append(outlet)

    def _flush(self) -> None:
        due, self._due = self._due, []
        for outlet in due:
            outlet.flush()


class IrcOutlet:
    """An :class:`~hubbub.server.outbound.Outlet` that writes IRC lines to a stream."""

    def __init__(
        self,
        connection: IrcConnection,
        transport: asyncio.WriteTransport,
        cache: FrameCache,
        flushes: Flushes,
        backlog: Backlog,
        limit: int,
    ) -> None:
        self._connection = connection
        self._transport = transport
        self._cache = cache
        self._flushes = flushes
        self._backlog = backlog
        self._limit = limit
        """Bytes waiting in the transport past which the reader is cut as too slow."""
        self._pending: list[bytes] = []
        self._held: list[Frame] | None = None
        self._scheduled = False
        self._captured: list[list[bytes]] = []
        """What is written meanwhile, per :meth:`capture` not yet ended (innermost last)."""
        self.closed = False

    def push(self, frame: Frame, mark: tuple[str, int] | None = None, lazy: bool = False) -> None:
        if self._held is not None:
            self._held.append(frame)
        else:
            self.push_now(frame, mark)

    def push_now(self, frame: Frame, mark: tuple[str, int] | None = None) -> None:
        if self.closed:
            return
        try:
            decoded = self._cache.decode(frame)
            if isinstance(decoded.value, Ok | Error):
                self._connection.answered(decoded.value.id, decoded.data)
                return
            self.write(self._connection.render(decoded))
        except Exception:
            # Runs inside the server's delivery loop: one bad rendering must not stop the others.
            log.exception("irc conn=%s could not render a frame", self._connection.conn)

    def write(self, data: bytes) -> None:
        """Queue raw IRC lines; everything queued in a loop turn goes in one write."""
        if not data or self.closed:
            return
        if self._captured:
            self._captured[-1].append(data)
            return
        self._pending.append(data)
        if not self._scheduled:
            self._scheduled = True
            self._flushes.soon(self)

    def replace(self, old: bytes, new: bytes) -> bool:
        """Put ``new`` in the place of ``old`` if ``old`` is written and not sent yet."""
        waiting = self._captured[-1] if self._captured else self._pending
        for index, data in enumerate(waiting):
            if data == old:
                waiting[index] = new
                return True
        return False

    def capture(self) -> None:
        """Keep what is written from now on, for :meth:`captured` (irc/labels.py)."""
        self._captured.append([])

    def captured(self) -> bytes:
        """What was written since the last :meth:`capture`, which ends."""
        return b"".join(self._captured.pop())

    def flush(self) -> None:
        self._scheduled = False
        pending, self._pending = self._pending, []
        if self.closed or not pending or self._transport.is_closing():
            return
        self._transport.write(pending[0] if len(pending) == 1 else b"".join(pending))
        queued = self._transport.get_write_buffer_size()
        if queued > self._limit:
            self.cut()
        elif queued:
            self._backlog.note(self, queued)

    def queued_bytes(self) -> int:
        return 0 if self.closed else self._transport.get_write_buffer_size()

    def cut(self) -> None:
        """Drop the connection as too slow a reader (its queue is full: no ERROR line)."""
        log.warning("irc conn=%s reads too slowly: cut", self._connection.conn)
        self.stop()
        self._transport.abort()

    def hold(self) -> None:
        self._held = []

    def release(self) -> None:
        held, self._held = self._held or [], None
        for frame in held:
            self.push_now(frame)

    async def close(self, code: int, message: str) -> None:
        self.write(f"ERROR :Closing link: {message}\r\n".encode())
        self.flush()
        self.closed = True
        self._backlog.forget(self)
        self._transport.close()

    def stop(self) -> None:
        self.closed = True
        self._pending.clear()
        self._held = None
        self._backlog.forget(self)
