"""The bus's peer: other processes' changes applied to this server's hub, and what it
tells a process that joins (server/bus.py carries them over Redis)."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from hubbub.hub import ConnId, Decision, Outbox
from hubbub.hub.ops import NodeId, Op
from hubbub.hub.rereads import reread_rooms

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

    def take_ops(self, node: NodeId, ops: Sequence[Op]) -> None:
        """Carry out the hub's decision on each change another process published, in order.

        What a decision sends now goes out at once, so the order holds; an effect it
        names (a read of entries that did not arrive) runs as a chore.
        """
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
        never reached this hub, so the rooms are read again from the store."""
        decision = reread_rooms(self.server.hub, time.monotonic(), time.time(), Decision)
        self.server.spawn(self.server.run_chore(REMOTE, decision, "read the rooms again"))
