"""The sending side of one WebSocket: frames are queued without awaiting and written in order.

The hub's deliveries land here synchronously; one writer task per connection drains the
queue. A reader too slow to keep up cannot grow the server's memory: past ``limit`` bytes
queued, the connection is closed with :data:`SLOW_READER`, or cut if it does not read
that either. While a resumed session is
catching up, live frames are held back and released after the replay, minus any message
the replay already carried.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

from aiohttp import WSMsgType, web

SLOW_READER = 4000
CLOSE_SECONDS = 2.0
"""How long a closing connection may take to flush and shake hands before it is cut."""


class Outbound:
    def __init__(self, ws: web.WebSocketResponse, transport: asyncio.Transport, limit: int) -> None:
        self._ws = ws
        self._transport = transport
        self._limit = limit
        self._queue: deque[bytes] = deque()
        self._queued_bytes = 0
        self._wake = asyncio.Event()
        self._held: list[tuple[bytes, tuple[str, int] | None]] | None = None
        self._replayed: dict[str, int] = {}
        self._closing = False
        self._task = asyncio.create_task(self._write_forever())
        self._closer: asyncio.Task[None] | None = None
        """The slow reader's close, referenced here so the loop does not drop the task."""

    def push(self, data: bytes, mark: tuple[str, int] | None = None) -> None:
        """Queue a frame; while catching up, live frames wait until :meth:`release`."""
        if self._held is not None:
            self._held.append((data, mark))
            self._count(len(data))
        else:
            self.push_now(data)

    def push_now(self, data: bytes) -> None:
        """Queue a frame ahead of anything held back (replies, replayed history)."""
        if self._closing:
            return
        self._queue.append(data)
        self._count(len(data))
        self._wake.set()

    def hold(self) -> None:
        """Start catching up: hold live frames back until :meth:`release`."""
        self._held = []
        self._replayed.clear()

    def push_missed(self, data: bytes, conversation: str, seq: int) -> None:
        """Queue a message the client missed ahead of held live frames, and drop its live copy."""
        self.push_now(data)
        if self._held is not None:
            self._replayed[conversation] = max(seq, self._replayed.get(conversation, 0))

    def release(self) -> None:
        held, self._held = self._held or [], None
        for data, mark in held:
            self._queued_bytes -= len(data)
            if mark is None or mark[1] > self._replayed.get(mark[0], 0):
                self.push_now(data)
        self._replayed.clear()

    async def close(self, code: int, message: str) -> None:
        """Send what is queued, then a close frame; a peer that does not read is cut off."""
        self._closing = True
        self._wake.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(self._task), timeout=CLOSE_SECONDS)
        self._task.cancel()
        await self._close_within(code, message)

    async def _close_within(self, code: int, message: str) -> None:
        """Close with ``code``; whatever the peer does, the socket is gone afterwards."""
        try:
            async with asyncio.timeout(CLOSE_SECONDS):
                await self._ws.close(code=code, message=message.encode())
        except (TimeoutError, ConnectionError):
            pass
        finally:
            self._transport.abort()

    def stop(self) -> None:
        """The connection is gone: drop whatever is queued."""
        self._closing = True
        self._queue.clear()
        self._task.cancel()

    def _count(self, size: int) -> None:
        self._queued_bytes += size
        if self._queued_bytes > self._limit and not self._closing:
            self._closing = True
            self._queue.clear()
            self._queued_bytes = 0
            self._held = None
            self._task.cancel()
            self._closer = asyncio.get_running_loop().create_task(
                self._close_within(SLOW_READER, "too slow to read its events")
            )

    async def _write_forever(self) -> None:
        queue = self._queue
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                while queue:
                    data = queue.popleft()
                    self._queued_bytes -= len(data)
                    await self._ws.send_frame(data, WSMsgType.TEXT)
            except (ConnectionError, RuntimeError):
                queue.clear()
                return
            if self._closing:
                return
