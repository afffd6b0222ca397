"""Several processes, one chat: the changes one hub tells the others.

Each process runs its own hub for its own connections. A hub given a node id (several
processes) puts an :class:`Op` on its outbox for every change the other processes must
apply; the server publishes them (over Redis) and hands the ops it receives from the
others to the hub, which decides what its own connections hear (hub/cluster.py).
A hub without a node id (one process) gathers no ops.
"""

from __future__ import annotations

import msgspec

NodeId = str
"""A process's name on the bus, unique per start."""


class Op(msgspec.Struct, tag=True, array_like=True, frozen=True):
    """One change the other processes apply to their hubs."""
