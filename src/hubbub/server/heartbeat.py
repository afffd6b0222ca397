"""One timer pings every WebSocket, instead of two timer handles per connection.

Every ``interval`` seconds each connection is sent a ping, queued behind the frames
already waiting for it; a connection that has not answered with a pong ``interval / 2``
later is dropped (its socket cut, as aiohttp's own heartbeat would), so a dead peer is
found within 1.5 intervals. A new connection is first pinged between 0.5 and 1.5
intervals after it joined (it is *young* until the next check), so a client is never
pinged while its sign-in is barely under way.

A pong proves that every frame written before its ping was read. Within two intervals of
a write a connection has proven it or is gone, which is what server/unread.py counts on:
a connection already pinged by rounds gets its next ping within one interval of the write
and is checked half an interval later; a young one was written to after it joined, which
was after the previous check, and it is pinged half an interval after the next check and
checked one interval after that one: less than two intervals after it joined.

aiohttp's per-connection heartbeat kept a timer handle per connection (and a second one
while waiting for a pong) and rescheduled them on every frame received: about 0.6 KiB
and six objects per idle connection. Here a connection costs one entry in a dict.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from hubbub.hub import ConnId

PINGS_PER_TURN = 500
"""Pings queued per loop turn: a ping costs its socket a write (about 3 µs here), so 20,000 at
once would hold the loop some 70 ms; in slices, the loop reads and answers in between."""


class Pinged(Protocol):
    def ping(self) -> None:
        """Queue a ping frame behind whatever is waiting to be written."""
        ...

    def lost(self) -> None:
        """No pong came back in time: cut the socket."""
        ...


class Heartbeat:
    __slots__ = ("_interval", "_members", "_timer", "_unanswered", "_young")

    def __init__(self, interval: float) -> None:
        self._interval = interval
        self._members: dict[ConnId, Pinged] = {}
        self._young: dict[ConnId, Pinged] = {}
        """Joined since the last check: pinged from the round after the next check on."""
        self._unanswered: set[ConnId] = set()
        self._timer: asyncio.TimerHandle | None = None

    def start(self) -> None:
        self._timer = asyncio.get_running_loop().call_later(self._interval, self._ping_all)

    def join(self, conn: ConnId, member: Pinged) -> None:
        self._young[conn] = member

    def leave(self, conn: ConnId) -> None:
        self._members.pop(conn, None)
        self._young.pop(conn, None)
        self._unanswered.discard(conn)

    def pong(self, conn: ConnId) -> None:
        self._unanswered.discard(conn)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def _ping_all(self) -> None:
        self._unanswered = set(self._members)
        self._ping_slice(list(self._members.items()), 0)
        self._timer = asyncio.get_running_loop().call_later(self._interval / 2, self._drop_silent)

    def _ping_slice(self, members: list[tuple[ConnId, Pinged]], start: int) -> None:
        end = start + PINGS_PER_TURN
        for conn, member in members[start:end]:
            if conn in self._members:
                member.ping()
        if end < len(members):
            asyncio.get_running_loop().call_soon(self._ping_slice, members, end)

    def _drop_silent(self) -> None:
        silent, self._unanswered = self._unanswered, set()
        for conn in silent:
            if (member := self._members.pop(conn, None)) is not None:
                member.lost()
        self._members.update(self._young)
        self._young = {}
        self._timer = asyncio.get_running_loop().call_later(self._interval / 2, self._ping_all)
