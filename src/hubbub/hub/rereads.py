"""The rooms read again from the store, when this process may have missed their changes.

Room changes reach the other processes as ops after their commit, so for the bus's delay
(or all of a Redis outage) a process can know a room as it was. So the store is read
instead when the process (re)joins the bus; before the directory, a moderator's act or
a chat request is decided (hub/handle.py's ``READ_ROOMS_FIRST``: rare requests, whose
answer must not depend on the bus's delay); and before any request is refused for a
reason a missed change could explain (an unknown room, not a member, not allowed,
banned): it is then decided again on what the store holds. Room ops that arrive while the
read runs are applied again after it (an op applied twice changes nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hubbub.hub.cluster_rooms import RoomOp, reconcile
from hubbub.hub.decision import Decision
from hubbub.hub.effects import Effect, Services
from hubbub.hub.ops import NodeId
from hubbub.hub.outbox import Outbox
from hubbub.protocol import ErrorCode
from hubbub.store import ModerationState, RoomRecord, StoreError

if TYPE_CHECKING:
    from hubbub.hub.hub import Hub

STALE_REFUSALS = frozenset(
    {
        ErrorCode.UNKNOWN_ROOM,
        ErrorCode.UNKNOWN_CONVERSATION,
        ErrorCode.NOT_A_MEMBER,
        ErrorCode.NOT_ALLOWED,
        ErrorCode.BANNED,
    }
)
"""Refusals that a room change not heard of yet could explain."""

Stored = tuple[list[RoomRecord], ModerationState]


@dataclass(frozen=True, slots=True)
class ReadRooms(Effect["Stored | None"]):
    """Every room with its members, and the moderators, bans, mutes and blocks; None if
    the store could not be read (the hub goes on with what it knows)."""

    async def run(self, services: Services) -> Stored | None:
        try:
            return await services.store.load_rooms(), await services.store.load_moderation()
        except StoreError:
            return None


@dataclass(slots=True)
class Rereads:
    """The room ops received while a read of the rooms runs, to apply again after it."""

    running: int = 0
    missed: list[tuple[NodeId, RoomOp]] = field(default_factory=list)

    def heard(self, node: NodeId, op: object) -> None:
        if self.running and isinstance(op, RoomOp):
            self.missed.append((node, op))


def reread_rooms(hub: Hub, now: float, wall: float, then: Callable[[], Decision]) -> Decision:
    """Read the rooms, set the hub to them (telling members what changed), apply again the
    room ops that came meanwhile, then decide ``then``."""
    rereads = hub.rereads
    rereads.running += 1

    def read(stored: Stored | None) -> Decision:
        rereads.running -= 1
        out = reconcile(hub, *stored) if stored is not None else Outbox()
        missed = rereads.missed
        if not rereads.running:
            rereads.missed = []
        for node, op in missed:
            out.extend(hub.apply(node, op, now, wall).out)
        after = then()
        out.extend(after.out)
        after.out = out
        return after

    return Decision.after(ReadRooms(), read)
