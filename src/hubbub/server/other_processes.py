"""The bus's peer: other processes' changes applied to this server's hub, and what it
tells a process that joins (server/bus.py carries them over Redis)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from hubbub.hub import ConnId, Outbox
from hubbub.hub.cluster_rooms import RoomOp, reconcile
from hubbub.hub.ops import NodeId, Op
from hubbub.store import StoreError

if TYPE_CHECKING:
    from hubbub.server.server import ChatServer

log = logging.getLogger("hubbub")

REMOTE: ConnId = 0
"""The connection a decision about another process's change runs for: none has this id
(they count from 1), so whatever it answers goes nowhere and a failure is only logged."""


class OtherProcesses:
    """Runs the hub's decisions on what the other processes publish."""

    def __init__(self, server: ChatServer) -> None:
        self.server = server
        self._missed: list[tuple[NodeId, list[RoomOp]]] | None = None
        """While the rooms are read to catch up after joining the bus: the room changes
        received meanwhile, to apply again after (an op applied twice changes nothing)."""

    def take_ops(self, node: NodeId, ops: Sequence[Op]) -> None:
        """Carry out the hub's decision on each change another process published, in order.

        What a decision sends now goes out at once, so the order holds; an effect it
        names (a read of entries that did not arrive) runs as a chore.
        """
        if self._missed is not None:
            self._missed.append((node, [op for op in ops if isinstance(op, RoomOp)]))
        server = self.server
        now, wall = time.monotonic(), time.time()
        for op in ops:
            try:
                decision = server.hub.apply(node, op, now, wall)
            except Exception:
                log.exception("could not apply %s from %s", type(op).__name__, node)
                continue
            server.send(decision.out)
            if decision.log is not None:
                server.log(REMOTE, *decision.log)
            if decision.effect is not None:
                rest = replace(decision, out=Outbox(), log=None)
                server.spawn(server.run_chore(REMOTE, rest, f"apply {type(op).__name__}"))

    def announce(self) -> list[Op]:
        return self.server.hub.announce()

    def forget_node(self, node: NodeId) -> None:
        self.server.send(self.server.hub.node_gone(node, time.monotonic()))

    def subscribed(self) -> None:
        """On the bus (again): room changes published before, or while Redis was lost,
        never reached this hub, so the rooms are brought to what the store holds."""
        if self._missed is None:
            self._missed = []
            self.server.spawn(self._reconcile_rooms())

    async def _reconcile_rooms(self) -> None:
        """Read the rooms and their moderation, set the hub to them, then apply again the
        room changes that arrived during the read (the read may predate them)."""
        store = self.server.store
        try:
            records = await store.load_rooms()
            state = await store.load_moderation()
        except StoreError:
            log.exception("could not read the rooms to catch up with the other processes")
            self._missed = None
            return
        missed, self._missed = self._missed or [], None
        self.server.send(reconcile(self.server.hub, records, state))
        for node, ops in missed:
            self.take_ops(node, ops)
