"""SQLite's WAL checkpoints, run off the writer's path.

In WAL mode a commit appends its pages to the write-ahead log and fsyncs it: that is
what makes it durable. Copying those pages back into the database file (a checkpoint)
is housekeeping. SQLite does it by itself in the connection that commits, once the log
passes 1,000 pages (``wal_autocheckpoint``): that commit then also writes the pages into
the database file and fsyncs it, and every write of its batch waits for that before it
is acknowledged (every half-minute under a light lobby load, several times a second
under a stream of direct messages; see docs/performance.md, Soak).

So the writer's connection does no checkpoints (``wal_autocheckpoint=0``), and a
:class:`Checkpointer` runs them from a connection and a thread of its own, in PASSIVE
mode: it copies what no reader still needs and never waits for, or blocks, the writer
or the readers. It runs as soon as ``COMMITS`` commits have gone by (under a stream of
direct messages, about the 1,000 pages SQLite would have waited for), or ``DELAY``
seconds after the first commit since the last one, so the log stays about as short as
before; SQLite starts it over from the beginning once it has all been copied.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Engine

log = logging.getLogger(__name__)

DELAY = 10.0
"""Seconds from the first commit after a checkpoint to the next checkpoint, at most."""
COMMITS = 100
"""Commits after which the next checkpoint starts at once (or when the last one ends)."""

NO_AUTOCHECKPOINT = "PRAGMA wal_autocheckpoint=0"
"""Run on the writer's connection: its commits leave the copying to the checkpointer."""


class Checkpointer:
    """Checkpoints a SQLite database a moment after it was written. Used on the loop."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="hubbub-store-checkpoint")
        self._connection: Any = None
        """The DB-API connection, used in the checkpointer's thread only."""
        self._timer: asyncio.TimerHandle | None = None
        self._running: asyncio.Future[None] | None = None
        self._commits = 0
        """Commits since the last checkpoint started."""
        self._closed = False

    def committed(self) -> None:
        """The writer committed: checkpoint once ``COMMITS`` of them or ``DELAY`` seconds
        have gone by."""
        if self._closed:
            return
        self._commits += 1
        if self._commits >= COMMITS:
            self._start()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(DELAY, self._start)

    async def close(self) -> None:
        """Stop checkpointing: wait for a checkpoint under way, then let go of the database."""
        if self._closed:
            return
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        running = self._running
        if running is not None:
            await asyncio.wait([running])
        await asyncio.get_running_loop().run_in_executor(self._thread, self._disconnect)
        self._thread.shutdown()

    def _start(self) -> None:
        """Start a checkpoint now, unless one is under way (it starts the next as it ends)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._running is not None or self._closed:
            return
        self._commits = 0
        self._running = asyncio.get_running_loop().run_in_executor(self._thread, self._run)
        self._running.add_done_callback(self._ran)

    def _ran(self, running: asyncio.Future[None]) -> None:
        self._running = None
        failure = None if running.cancelled() else running.exception()
        if failure is not None:
            log.warning("the write-ahead log could not be checkpointed yet: %s", failure)
        if self._commits >= COMMITS:
            self._start()
        elif self._commits and self._timer is None and not self._closed:
            self._timer = asyncio.get_running_loop().call_later(DELAY, self._start)

    def _run(self) -> None:
        """In the checkpointer's thread: copy what it can, on a connection kept open."""
        if self._connection is None:
            self._connection = self._engine.raw_connection()
        try:
            cursor = self._connection.cursor()
            try:
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
                cursor.fetchall()
            finally:
                cursor.close()
        except Exception:
            self._disconnect()
            raise

    def _disconnect(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
