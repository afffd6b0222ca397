"""Rooms, moderation and blocks on several processes: each committed change as an op.

A change to a room (opened, joined, left, its topic set, archived), a moderator's act
(kick, ban, unban, mute, unmute, a role) or a block is made by :func:`enact` once the store
has it: the change is applied to this hub by the op's own function, and a hub with a node
id shares the op (hub/ops.py). Every other process's hub applies the same op with the same
function (:func:`apply_room_op`), so its members and listeners are told exactly what the
ones on the first process were. Nothing here touches the store: the process that made the
change has stored it already.

Account bans and admin grants need no op: every process follows the audit log
(hub/admin.py), within a second.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal, get_args

from hubbub.hub.cluster_limits import Spent, charge
from hubbub.hub.decision import Decision
from hubbub.hub.ops import NodeId, Op
from hubbub.hub.outbox import Outbox
from hubbub.hub.rooms import Room
from hubbub.protocol import (
    MemberJoined,
    MemberLeft,
    Moderated,
    Muted,
    RoomAdded,
    RoomChanged,
    RoomRemoved,
    SeenStatus,
)
from hubbub.store import ModerationState, RoomRecord

if TYPE_CHECKING:
    from hubbub.hub.hub import Hub

ModeratorAct = Literal["kicked", "banned", "unbanned", "muted", "unmuted", "moderator", "member"]


class RoomOp(Op, frozen=True):
    """A committed change to a room, a moderator's act or a block."""


class RoomOpened(RoomOp, frozen=True):
    """A room was created; its owner is its first member. ``transient``: a guest made it."""

    room: str
    name: str
    key: str
    topic: str
    private: bool
    owner_id: int
    owner: str
    created_at: float
    transient: bool


class Joined(RoomOp, frozen=True):
    """The account became a member of the room: it joined (``by`` itself) or was invited.
    ``status``: the account's, as the process it joined on saw it."""

    room: str
    account_id: int
    name: str
    by: str
    status: SeenStatus


class Parted(RoomOp, frozen=True):
    """The account left the room, with ``message``; ``quit``: its connection ended (a guest)."""

    room: str
    account_id: int
    name: str
    message: str | None = None
    quit: bool = False


class RoomSet(RoomOp, frozen=True):
    """``by`` set the room's topic (``topic`` not None) or archived it."""

    room: str
    by: str
    topic: str | None = None
    archived: bool = False


class ModeratorActed(RoomOp, frozen=True):
    """A moderator ``by`` acted on the account ``target_id`` (``name``) in the room."""

    room: str
    action: ModeratorAct
    target_id: int
    name: str
    by: str
    note: str = ""
    until: float | None = None
    """For ``muted``: until when (Unix time)."""


class BlockSet(RoomOp, frozen=True):
    """``account_id`` blocks ``blocked_id`` (``on``) or no longer does."""

    account_id: int
    blocked_id: int
    on: bool


RoomOps = RoomOpened | Joined | Parted | RoomSet | ModeratorActed | BlockSet
SharedRules = RoomOps | Spent
"""The ops of rooms, moderation, blocks and limits, for the envelope's union (hub/cluster.py)."""


def enact(hub: Hub, op: RoomOp) -> Outbox:
    """Make a change the store has committed: here now, and on every other process."""
    out = apply_room_op(hub, op)
    if hub.node is not None:
        out.share(op)
    return out


def apply_room_op(hub: Hub, op: RoomOp) -> Outbox:
    """Apply a committed change to this hub and tell its own connections what it means."""
    match op:
        case RoomOpened():
            return _open(hub, op)
        case Joined():
            return _join(hub, op)
        case Parted():
            return _part(hub, op)
        case RoomSet():
            return _set(hub, op)
        case ModeratorActed():
            return _moderate(hub, op)
        case BlockSet():
            return _block(hub, op)
    return Outbox()


def reconcile(hub: Hub, records: Iterable[RoomRecord], state: ModerationState) -> Outbox:
    """Bring the rooms, their members and moderation to what the store holds, after ops
    may have been lost (the bus was down, or this process joined it after loading).

    Moderators, bans, mutes and blocks are set as stored; then each member this hub missed
    joins and each one it kept too long leaves, told as those ops are (a kick or a ban
    missed is told as leaving). Topics and archiving are set without a word: who made
    them is not stored. Account bans and admins follow the audit log (hub/admin.py).
    The store is read after subscribing to the bus; ops that arrive while it is read are
    applied again after this: an op applied twice changes nothing the second time (but a
    topic or a moderator's act may be told twice).
    """
    out = Outbox()
    moderators = _by_room(state.moderators)
    banned = _by_room(state.room_bans)
    muted: dict[str, dict[int, float]] = {}
    for room_id, account_id, until in state.mutes:
        muted.setdefault(room_id, {})[account_id] = until
    hub.blocks = {}
    for account_id, blocked_id in state.blocks:
        hub.blocks.setdefault(account_id, set()).add(blocked_id)
    for record in records:
        room = hub.rooms.get(record.id) or hub.rooms.open(record)
        room.topic, room.archived = record.topic, record.archived
        room.moderators = moderators.get(room.id, set())
        room.banned = banned.get(room.id, set())
        room.muted = muted.get(room.id, {})
        stored = dict(record.members)
        for account_id, name in list(room.members.items()):
            if account_id not in stored:
                out.extend(_part(hub, Parted(room.id, account_id, name)))
        for account_id, name in stored.items():
            status = hub.seen_status(account_id)
            out.extend(_join(hub, Joined(room.id, account_id, name, name, status)))
    return out


def _by_room(pairs: Iterable[tuple[str, int]]) -> dict[str, set[int]]:
    rooms: dict[str, set[int]] = {}
    for room_id, account_id in pairs:
        rooms.setdefault(room_id, set()).add(account_id)
    return rooms


def _applied(hub: Hub, _node: NodeId, op: RoomOp, _now: float, _wall: float) -> Decision:
    return Decision(apply_room_op(hub, op))


def _charged(hub: Hub, _node: NodeId, op: Spent, now: float, _wall: float) -> Decision:
    charge(hub, op, now)
    return Decision()


RULE_APPLIERS: dict[type[Op], Callable[[Hub, NodeId, Any, float, float], Decision]] = {
    **dict.fromkeys(get_args(RoomOps), _applied),
    Spent: _charged,
}
"""How a hub applies each of :data:`SharedRules` (an applier of hub/cluster.py's)."""


def _open(hub: Hub, op: RoomOpened) -> Outbox:
    if hub.rooms.get(op.room) is not None:
        return Outbox()
    room = Room(op.room, op.name, op.key, op.topic, op.private, op.owner_id, op.created_at)
    room.transient = op.transient
    hub.rooms.add(room)
    owner = Joined(op.room, op.owner_id, op.owner, op.owner, hub.seen_status(op.owner_id))
    return _join(hub, owner)


def _join(hub: Hub, op: Joined) -> Outbox:
    """The account is a member now: the room hears of it, its devices here get the room.
    Not if it is banned from the room: a ban that crossed this join on the bus wins."""
    out = Outbox()
    room = hub.rooms.get(op.room)
    if room is None or op.account_id in room.members or op.account_id in room.banned:
        return out
    joined = MemberJoined(room=room.id, name=op.name, status=op.status)
    out.send(room.listeners, joined)
    hub.rooms.add_member(room, op.account_id, op.name)
    conns = hub.conns_of([op.account_id])
    for conn in conns:
        room.listeners[conn] = None
    out.send(conns, RoomAdded(room=room.info(), by=op.by, head=hub.head(room.id)))
    out.send_encoded(conns, hub.board.snapshot(room))
    return out


def _part(hub: Hub, op: Parted) -> Outbox:
    """The account is no longer a member; a room a guest made goes when its last one leaves."""
    out = Outbox()
    room = hub.rooms.get(op.room)
    if room is None or op.account_id not in room.members:
        return out
    conns = hub.conns_of([op.account_id])
    hub.rooms.remove_member(room, op.account_id, conns)
    if not op.quit:
        out.send(conns, RoomRemoved(room=room.id, reason="left"))
    out.send(
        room.listeners, MemberLeft(room=room.id, name=op.name, message=op.message, quit=op.quit)
    )
    if room.transient and not room.members:
        hub.rooms.drop(room)
    return out


def _set(hub: Hub, op: RoomSet) -> Outbox:
    out = Outbox()
    room = hub.rooms.get(op.room)
    if room is None:
        return out
    if op.topic is not None:
        room.topic = op.topic
    room.archived = room.archived or op.archived
    out.send(room.listeners, RoomChanged(room=room.info(), by=op.by))
    return out


def _moderate(hub: Hub, op: ModeratorActed) -> Outbox:
    """Enforce a moderator's act; the account and the room are told (hub/moderation.py)."""
    out = Outbox()
    room = hub.rooms.get(op.room)
    if room is None:
        return out
    target = op.target_id
    match op.action:
        case "kicked" | "banned":
            if op.action == "banned":
                room.banned.add(target)
            out.extend(_remove(hub, room, op))
        case "unbanned":
            room.banned.discard(target)
        case "muted":
            if op.until is not None:
                room.muted[target] = op.until
            muted = Muted(room=room.id, until=op.until, by=op.by, note=op.note)
            out.send(hub.conns_of([target]), muted)
        case "unmuted":
            room.muted.pop(target, None)
            out.send(hub.conns_of([target]), Muted(room=room.id, until=None, by=op.by))
        case "moderator":
            room.moderators.add(target)
        case "member":
            room.moderators.discard(target)
    told = Moderated(
        room=room.id, action=op.action, name=op.name, by=op.by, note=op.note, until=op.until
    )
    out.send(room.listeners, told)
    return out


def _remove(hub: Hub, room: Room, op: ModeratorActed) -> Outbox:
    """Take the account out of the room: its devices are told why, the room sees it go."""
    out = Outbox()
    if op.target_id in room.members:
        conns = hub.conns_of([op.target_id])
        hub.rooms.remove_member(room, op.target_id, conns)
        reason: Literal["kicked", "banned"] = "banned" if op.action == "banned" else "kicked"
        out.send(conns, RoomRemoved(room=room.id, reason=reason, by=op.by, note=op.note))
        out.send(room.listeners, MemberLeft(room=room.id, name=op.name))
    return out


def _block(hub: Hub, op: BlockSet) -> Outbox:
    """Blocking is personal: nobody is told (hub/blocks.py)."""
    mine = hub.blocks.setdefault(op.account_id, set())
    if op.on:
        mine.add(op.blocked_id)
    else:
        mine.discard(op.blocked_id)
    return Outbox()
