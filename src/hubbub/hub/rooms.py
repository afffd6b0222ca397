"""Rooms: who is in which, who may see, join and change them.

The Lobby is an ordinary public room (created by the schema, id ``lobby``). A private
room does not exist for those outside it: every lookup by a non-member answers
``unknown_room``, exactly as for a name nobody uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from hubbub.hub.inputs import name_key
from hubbub.hub.outbox import ConnId
from hubbub.names import Skeletons, skeletons
from hubbub.protocol import ErrorCode, Refusal, RoomInfo
from hubbub.store import RoomRecord

ROOMS_PER_HOUR = 10
MAX_ROOM_MEMBERS = 50_000


@dataclass(eq=False, slots=True)
class Room:
    id: str
    name: str
    key: str
    topic: str
    private: bool
    owner_id: int | None
    created_at: float
    archived: bool = False
    transient: bool = False
    """Made by a guest: released when its last member leaves (hub/guests.py)."""
    members: dict[int, str] = field(default_factory=dict)
    """Account id → display name, in the order they joined."""
    keys: dict[str, int] = field(default_factory=dict)
    """Name key → account id of each member, for mentions."""
    listeners: dict[ConnId, None] = field(default_factory=dict)
    """The open, signed-in connections of its members: who hears it live."""
    snapshot: bytes | None = None
    """Its encoded full presence list, until the next change (see PresenceBoard)."""
    moderators: set[int] = field(default_factory=set)
    banned: set[int] = field(default_factory=set)
    muted: dict[int, float] = field(default_factory=dict)
    """Account id → until when (Unix time) it may not write here."""

    def role_of(self, account_id: int) -> Literal["owner", "moderator", "member"]:
        if account_id == self.owner_id:
            return "owner"
        return "moderator" if account_id in self.moderators else "member"

    def muted_until(self, account_id: int, wall: float) -> float | None:
        """Until when the account is muted here, if it is now."""
        until = self.muted.get(account_id)
        if until is not None and until <= wall:
            del self.muted[account_id]
            return None
        return until

    def info(self) -> RoomInfo:
        owner = self.members.get(self.owner_id) if self.owner_id is not None else None
        return RoomInfo(
            id=self.id,
            name=self.name,
            topic=self.topic,
            private=self.private,
            archived=self.archived,
            owner=owner,
            members=len(self.members),
        )

    def member(self, key: str) -> tuple[int, str] | None:
        """The (account id, name) of the member with this name key, if any."""
        account_id = self.keys.get(key)
        return None if account_id is None else (account_id, self.members[account_id])

    def writable_by(self, account_id: int) -> None:
        """Refuse unless the account may write here (member, not archived)."""
        if account_id not in self.members:
            raise Refusal(ErrorCode.NOT_A_MEMBER, f"join {self.name} first")
        if self.archived:
            raise Refusal(ErrorCode.ROOM_ARCHIVED, f"{self.name} is archived: it is read-only")


class Rooms:
    """Every room, by id and by name, and the rooms of each account."""

    def __init__(self) -> None:
        self._by_id: dict[str, Room] = {}
        self._by_key: dict[str, Room] = {}
        self._by_skeleton: dict[str, Room] = {}
        """The first room with each folded confusable skeleton (older rooms may share one)."""
        self._by_cased_skeleton: dict[str, Room] = {}
        """The first room with each cased confusable skeleton."""
        self._of: dict[int, dict[str, Room]] = {}
        self._names: dict[int, str] = {}

    def load(self, records: Iterable[RoomRecord]) -> None:
        for record in records:
            room = self.open(record)
            for account_id, name in record.members:
                self.add_member(room, account_id, name)

    def open(self, record: RoomRecord) -> Room:
        """Add the stored room, without its members."""
        room = Room(
            record.id,
            record.name,
            record.name_key,
            record.topic,
            record.private,
            record.owner_id,
            record.created_at,
            record.archived,
        )
        self.add(room)
        return room

    def add(self, room: Room) -> None:
        self._by_id[room.id] = room
        self._by_key[room.key] = room
        found = skeletons(room.name, room.key)
        self._by_skeleton.setdefault(found.folded, room)
        self._by_cased_skeleton.setdefault(found.cased, room)

    def drop(self, room: Room) -> None:
        """Forget a room nobody is in any more: its name is free again."""
        self._by_id.pop(room.id, None)
        found = skeletons(room.name, room.key)
        for index, key in (
            (self._by_key, room.key),
            (self._by_skeleton, found.folded),
            (self._by_cased_skeleton, found.cased),
        ):
            if index.get(key) is room:
                del index[key]

    def get(self, room_id: str) -> Room | None:
        return self._by_id.get(room_id)

    def __iter__(self) -> Iterator[Room]:
        return iter(self._by_id.values())

    def name_holder(self, name: str, key: str) -> Room | None:
        """The room a new room called ``name`` (name key ``key``) may not be called after:
        the one with that key, else one whose name looks like it (either skeleton the
        same, see :func:`hubbub.names.skeletons`)."""
        found: Skeletons = skeletons(name, key)
        return (
            self._by_key.get(key)
            or self._by_skeleton.get(found.folded)
            or self._by_cased_skeleton.get(found.cased)
        )

    def find(self, ref: str, key: str | None, account_id: int) -> Room:
        """The room ``ref`` names (its id, or a name with name key ``key``), as the account
        may see it: a private room it is not in does not exist for it."""
        room = self._by_id.get(ref) or (self._by_key.get(key) if key is not None else None)
        if room is None or (room.private and account_id not in room.members):
            raise Refusal(ErrorCode.UNKNOWN_ROOM, f"there is no room {ref!r}")
        return room

    def of(self, account_id: int) -> Iterable[Room]:
        return self._of.get(account_id, {}).values()

    def name_of(self, account_id: int) -> str | None:
        """The display name of an account that is or was in a room this process knows."""
        return self._names.get(account_id)

    def add_member(self, room: Room, account_id: int, name: str) -> None:
        room.members[account_id] = name
        room.keys[name_key(name)] = account_id
        self._names[account_id] = name
        room.snapshot = None
        self._of.setdefault(account_id, {})[room.id] = room

    def remove_member(self, room: Room, account_id: int, conns: Iterable[ConnId]) -> None:
        room.moderators.discard(account_id)
        name = room.members.pop(account_id, None)
        if name is not None:
            room.keys.pop(name_key(name), None)
        room.snapshot = None
        for conn in conns:
            room.listeners.pop(conn, None)
        mine = self._of.get(account_id)
        if mine is not None:
            mine.pop(room.id, None)

    def created_since(self, account_id: int, since: float) -> int:
        return sum(
            1 for r in self._by_id.values() if r.owner_id == account_id and r.created_at > since
        )

    def listen(self, account_id: int, conn: ConnId) -> None:
        for room in self.of(account_id):
            room.listeners[conn] = None

    def unlisten(self, account_id: int, conn: ConnId) -> None:
        for room in self.of(account_id):
            room.listeners.pop(conn, None)
