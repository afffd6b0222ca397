"""Who is in each room and who of them is online, as a client learns it. Pure; no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from hubbub import protocol

Role = Literal["owner", "moderator", "member"]


@dataclass(frozen=True, slots=True)
class Member:
    """A room member. ``role`` is None when only presence has named them so far."""

    name: str
    status: protocol.SeenStatus
    role: Role | None = None

    @property
    def online(self) -> bool:
        return self.status != "offline"


@dataclass(frozen=True, slots=True)
class Arrival:
    """A presence change worth a line: ``name`` came online (``joined``) or went offline."""

    room: str
    name: str
    joined: bool


class Roster:
    """Members per room: from ``members`` replies, ``presence`` and ``member_*`` events.

    A full ``presence`` names everyone online: members it leaves out are offline. A
    partial one changes only the people it names. Someone named by presence but not yet
    known as a member is added (role unknown).
    """

    def __init__(self) -> None:
        self._rooms: dict[str, dict[str, Member]] = {}

    def load(self, room: str, members: Iterable[protocol.MemberInfo]) -> None:
        """Replace a room's members by a ``members`` reply."""
        self._rooms[room] = {m.name: Member(m.name, m.status, m.role) for m in members}

    def presence(self, event: protocol.Presence) -> list[Arrival]:
        """Apply ``event``; the arrivals and departures of a partial one, in its order."""
        members = self._rooms.setdefault(event.room, {})
        if event.full:
            named = {user.name for user in event.users}
            for name, member in list(members.items()):
                if name not in named and member.online:
                    members[name] = Member(name, "offline", member.role)
        changes: list[Arrival] = []
        for user in event.users:
            before = members.get(user.name)
            was_online = before is not None and before.online
            role = None if before is None else before.role
            members[user.name] = Member(user.name, user.status, role)
            if not event.full and was_online != (user.status != "offline"):
                changes.append(Arrival(event.room, user.name, joined=not was_online))
        return changes

    def joined(self, event: protocol.MemberJoined) -> None:
        members = self._rooms.setdefault(event.room, {})
        before = members.get(event.name)
        role: Role = "member" if before is None or before.role is None else before.role
        members[event.name] = Member(event.name, event.status, role)

    def role_changed(self, event: protocol.Moderated) -> None:
        """A ``moderated`` event that gave a member a new role (``moderator``/``member``)."""
        members = self._rooms.get(event.room, {})
        before = members.get(event.name)
        if before is not None and event.action in ("moderator", "member"):
            role: Role = "moderator" if event.action == "moderator" else "member"
            members[event.name] = Member(before.name, before.status, role)

    def left(self, event: protocol.MemberLeft) -> None:
        self._rooms.get(event.room, {}).pop(event.name, None)

    def drop(self, room: str) -> None:
        """Forget a room the user left."""
        self._rooms.pop(room, None)

    def members(self, room: str) -> list[Member]:
        """A room's members, owners first, then by name (ignoring case)."""
        members = self._rooms.get(room, {}).values()
        return sorted(members, key=lambda m: (m.role != "owner", m.name.casefold(), m.name))

    def online(self) -> dict[str, protocol.SeenStatus]:
        """Everyone online in any room, by name (sorted, ignoring case), with their status."""
        seen: dict[str, protocol.SeenStatus] = {}
        for members in self._rooms.values():
            for member in members.values():
                if member.online:
                    seen[member.name] = member.status
        return dict(sorted(seen.items(), key=lambda item: (item[0].casefold(), item[0])))
