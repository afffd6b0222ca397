"""Full-text indexing of new messages in batches, off the commits that store them.

Indexing a message in the transaction that stores it costs a full-text segment (several
page writes) per commit. Instead, the first append after the index caught up starts a
timer; when it goes off, one writer operation indexes every message stored since, and
moves the index's high-water mark in the same transaction. A search first brings the
index up to date (through the writer) if anything was appended since the last indexing
began, so it finds every message acknowledged before it was called.

A search that indexes in the commit that stores a message (PostgreSQL's) needs none of
this: the indexer then does nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from hubbub.store.database import Database
from hubbub.store.records import StoreError
from hubbub.store.search import Search

log = logging.getLogger(__name__)

DELAY = 0.5
"""Seconds from the first message not indexed to the indexing that takes it."""


class Indexer:
    """Decides when the writer indexes what was appended. Everything here is on the loop."""

    def __init__(self, database: Database, search: Search, delay: float | None = None) -> None:
        self._database = database
        self._search = search
        self._delay = DELAY if delay is None else delay
        self._behind = search.indexes_later
        """Something may have been appended since the last indexing was queued.

        True at first when the search indexes later: the last run may have stopped (killed)
        before indexing.
        """
        self._indexing: asyncio.Future[int] | None = None
        """The last indexing queued, until it is committed."""
        self._timer: asyncio.TimerHandle | None = None
        self.appended()

    def appended(self) -> None:
        """A write that may store messages has been called (before it is queued or not)."""
        if not self._search.indexes_later:
            return
        self._behind = True
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._delay, self._on_time)

    async def catch_up(self) -> None:
        """Return once every message appended before the call is indexed."""
        if self._behind:
            self._start()
        if self._indexing is not None:
            await asyncio.shield(self._indexing)

    async def close(self) -> None:
        """Index what is left, ahead of the writer's closing. Call before it closes."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._behind and not self._database.writer.closed:
            self._start()
        if self._indexing is not None:
            with contextlib.suppress(StoreError):  # _done logged it
                await asyncio.shield(self._indexing)

    def _on_time(self) -> None:
        self._timer = None
        if self._behind and not self._database.writer.closed:
            self._start()

    def _start(self) -> None:
        """Queue an indexing: it follows every write queued so far, appends included."""
        self._behind = False
        indexing = self._database.writer.enqueue(self._search.index)
        self._indexing = indexing
        indexing.add_done_callback(self._done)

    def _done(self, indexing: asyncio.Future[int]) -> None:
        if indexing is self._indexing:
            self._indexing = None
        if indexing.cancelled():
            self._behind = True
            return
        failure = indexing.exception()
        if failure is not None:
            self._behind = True  # the next append or search tries again
            log.warning("new messages could not be indexed for search yet: %s", failure)
