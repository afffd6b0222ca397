"""Who is here: open connections, signed-in users, and what the others have been told.

Presence is told per room and in batches: :class:`PresenceBoard` collects the users
whose status may have changed and, at each :meth:`~PresenceBoard.flush`, tells each
room's members once about all of its changes. A storm of sign-ins costs one frame per
member per tick, not one per member per newcomer. Going offline is told only after the
board's linger (:data:`LEAVE_LINGER` seconds unless the server is told otherwise), so a
page reload shows nothing to anyone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from hubbub.hub.ops import NodeId
from hubbub.hub.outbox import ConnId, Outbox
from hubbub.protocol import ChosenStatus, Presence, SeenStatus, Status, UserStatus, encode

if TYPE_CHECKING:
    from hubbub.hub.chats import Chat
    from hubbub.hub.rooms import Room

LEAVE_LINGER = 3.0
"""Seconds a user must stay offline before the others are told, by default
(``hubbub serve --leave-linger``)."""


GUEST_ROLE = "guest"
"""The role a guest's account is signed in with (the store keeps ``user``): see
:mod:`hubbub.hub.guests`."""


class Side(NamedTuple):
    """An account's side on one process, as the others are told it (absent: no side)."""

    connected: bool
    """A connection of it is open there (else only sessions in their grace period)."""
    sessions: tuple[str, ...]
    """The ids of its sessions in use there, sorted: never their tokens."""


@dataclass(eq=False, slots=True)
class OnlineUser:
    """A signed-in account: online while it has a connection or a session in its grace
    period, here or on another process (``elsewhere``)."""

    account_id: int
    name: str
    key: str
    chosen: ChosenStatus = "online"
    conns: tuple[ConnId, ...] = ()
    """Its open connections here: a user has one or a few, and an empty set costs 216 bytes
    on every signed-in connection, a tuple of one 48."""
    parked: dict[str, float] | None = None
    """Tokens of dropped sessions, each with the moment its grace period ends; None while
    there are none (an empty dict would cost every signed-in user 64 bytes)."""
    chat: Chat | None = None
    guest: bool = False
    """Signed in without credentials (an IRC guest, :mod:`hubbub.hub.guests`)."""
    elsewhere: dict[NodeId, Side] | None = None
    """The other processes it is online on, each with its side there: whether it is
    connected there, and which sessions it uses there; None while there are none."""

    @property
    def status(self) -> Status:
        return "busy" if self.chat is not None else self.chosen

    @property
    def here(self) -> bool | None:
        """On this process: True if connected, False if only parked, None if absent."""
        if self.conns:
            return True
        return False if self.parked else None

    @property
    def online(self) -> bool:
        return bool(self.conns or self.parked or self.elsewhere)

    @property
    def connected(self) -> bool:
        """Has an open connection on some process: what it is sent now, it can read now."""
        return bool(self.conns) or any(side.connected for side in (self.elsewhere or {}).values())

    def park(self, token: str, until: float) -> None:
        """The session of ``token`` dropped: it may resume until ``until``."""
        if self.parked is None:
            self.parked = {}
        self.parked[token] = until

    def unpark(self, tokens: Iterable[str]) -> None:
        """Forget these parked sessions (a token not parked is ignored)."""
        if self.parked is not None:
            for token in tokens:
                self.parked.pop(token, None)
            if not self.parked:
                self.parked = None

    def seen_on(self, node: NodeId, side: Side) -> None:
        """It is online on another process, with this side there."""
        if self.elsewhere is None:
            self.elsewhere = {}
        self.elsewhere[node] = side

    def gone_from(self, node: NodeId) -> bool:
        """It has nothing left on ``node``: False if it was not there."""
        if self.elsewhere is None or self.elsewhere.pop(node, None) is None:
            return False
        if not self.elsewhere:
            self.elsewhere = None
        return True


@dataclass(eq=False, slots=True)
class Link:
    """One open connection, signed in or not."""

    conn: ConnId
    peer: str
    connected_at: float
    user: OnlineUser | None = None
    token: str = ""
    strikes: int = 0
    """Requests refused ``rate_limited`` in a row (see hub/flood.py)."""


class PresenceBoard:
    """What each room has been told about its members' status, and what is still to tell."""

    def __init__(self, linger: float = LEAVE_LINGER) -> None:
        self.linger = linger
        """Seconds a user must stay offline before the others are told."""
        self._told: dict[int, SeenStatus] = {}
        """Account id → the status last told (absent: offline)."""
        self._pending: dict[int, tuple[str, float]] = {}
        """Accounts whose status may have changed: their name and when it happened."""

    def changed(self, account_id: int, name: str, now: float) -> None:
        self._pending[account_id] = (name, now)

    def told(self, account_id: int) -> SeenStatus:
        return self._told.get(account_id, "offline")

    def flush(
        self,
        now: float,
        current: Callable[[int], SeenStatus],
        rooms_of: Callable[[int], Iterable[Room]],
    ) -> Outbox:
        """Tell each room about its members whose status changed since the last flush."""
        out = Outbox()
        if not self._pending:
            return out
        news: dict[str, tuple[Room, list[UserStatus]]] = {}
        for account_id, (name, since) in list(self._pending.items()):
            status = current(account_id)
            if status == "offline" and since + self.linger > now:
                continue
            del self._pending[account_id]
            if status == self.told(account_id):
                continue
            if status == "offline":
                self._told.pop(account_id, None)
            else:
                self._told[account_id] = status
            for room in rooms_of(account_id):
                room.snapshot = None
                news.setdefault(room.id, (room, []))[1].append(UserStatus(name, status))
        for room, users in news.values():
            out.send(room.listeners, Presence(room=room.id, users=users))
        return out

    def snapshot(self, room: Room) -> bytes:
        """The room's full list of who is online, as told so far, encoded once per change."""
        if room.snapshot is None:
            users = [
                UserStatus(name, status)
                for account_id, name in room.members.items()
                if (status := self.told(account_id)) != "offline"
            ]
            room.snapshot = encode(Presence(room=room.id, users=users, full=True))
        return room.snapshot
