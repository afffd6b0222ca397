"""One timer pings every connection: those that answer stay, a silent one is cut."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from hubbub.hub import ConnId
from hubbub.server.heartbeat import Heartbeat

INTERVAL = 0.05


@dataclass(eq=False)
class Peer:
    heartbeat: Heartbeat
    conn: ConnId
    answers: bool
    pings: int = 0
    cut: asyncio.Event = field(default_factory=asyncio.Event)
    pinged: asyncio.Event = field(default_factory=asyncio.Event)

    def ping(self) -> None:
        self.pings += 1
        self.pinged.set()
        if self.answers:
            asyncio.get_running_loop().call_soon(self.heartbeat.pong, self.conn)

    def lost(self) -> None:
        self.cut.set()

    async def next_ping(self) -> None:
        self.pinged.clear()
        await asyncio.wait_for(self.pinged.wait(), timeout=5)


def joined(heartbeat: Heartbeat, conn: int, *, answers: bool) -> Peer:
    peer = Peer(heartbeat, ConnId(conn), answers)
    heartbeat.join(peer.conn, peer)
    return peer


async def test_a_peer_that_answers_stays_and_a_silent_one_is_cut_once() -> None:
    heartbeat = Heartbeat(INTERVAL)
    heartbeat.start()
    try:
        talker = joined(heartbeat, 1, answers=True)
        silent = joined(heartbeat, 2, answers=False)
        await asyncio.wait_for(silent.cut.wait(), timeout=5)
        pings_when_cut = silent.pings
        for _ in range(3):
            await talker.next_ping()
        assert not talker.cut.is_set()
        assert talker.pings >= 4
        assert silent.pings == pings_when_cut == 1
    finally:
        heartbeat.stop()


async def test_a_connection_that_left_is_neither_pinged_nor_cut() -> None:
    heartbeat = Heartbeat(INTERVAL)
    heartbeat.start()
    try:
        gone = joined(heartbeat, 1, answers=False)
        witness = joined(heartbeat, 2, answers=True)
        await gone.next_ping()
        heartbeat.leave(gone.conn)
        for _ in range(2):
            await witness.next_ping()
        assert (gone.pings, gone.cut.is_set()) == (1, False)
    finally:
        heartbeat.stop()


async def test_more_connections_than_one_turn_pings_are_all_pinged_and_kept() -> None:
    heartbeat = Heartbeat(INTERVAL)
    heartbeat.start()
    try:
        peers = [joined(heartbeat, conn, answers=True) for conn in range(1, 1202)]
        last = peers[-1]
        for _ in range(2):
            await last.next_ping()
        assert all(peer.pings >= 1 for peer in peers)
        assert not any(peer.cut.is_set() for peer in peers)
    finally:
        heartbeat.stop()
