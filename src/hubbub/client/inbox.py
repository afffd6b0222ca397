"""Events waiting for the application: taken in arrival order, or picked out by kind."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

from hubbub.client.errors import ConnectionLost
from hubbub.client.events import ClientEvent, EventT


class Inbox:
    """Every event received and not yet taken, oldest first.

    Each event is taken once, by whichever of :meth:`next` or :meth:`take` asks first.
    Nothing is dropped: an application that never takes events keeps all of them.
    After :meth:`end`, the events already queued can still be taken; then both raise
    :class:`ConnectionLost` instead of waiting.
    """

    def __init__(self) -> None:
        self._events: deque[ClientEvent] = deque()
        self._arrival = asyncio.Event()
        self._ended: str | None = None

    def put(self, event: ClientEvent) -> None:
        self._events.append(event)
        self._wake()

    def end(self, reason: str) -> None:
        """No more events will come; ``reason`` becomes the :class:`ConnectionLost` message."""
        if self._ended is None:
            self._ended = reason
            self._wake()

    async def next(self) -> ClientEvent:
        """The oldest event, waiting for one if none is queued."""
        while not self._events:
            await self._changed()
        return self._events.popleft()

    async def take(self, kind: type[EventT], predicate: Callable[[EventT], bool] | None) -> EventT:
        """The oldest event of ``kind`` that satisfies ``predicate``; others stay, in order."""
        while True:
            for index, event in enumerate(self._events):
                if isinstance(event, kind) and (predicate is None or predicate(event)):
                    del self._events[index]
                    return event
            await self._changed()

    async def _changed(self) -> None:
        if self._ended is not None:
            raise ConnectionLost(self._ended)
        await self._arrival.wait()

    def _wake(self) -> None:
        self._arrival.set()
        self._arrival = asyncio.Event()
