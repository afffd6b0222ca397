"""Who is here: open connections, signed-in users, and the sessions a dropped client may resume."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hubbub.hub.outbox import ConnId
from hubbub.protocol import ChosenStatus, Status

if TYPE_CHECKING:
    from hubbub.hub.chats import Chat


@dataclass(eq=False, slots=True)
class OnlineUser:
    """A signed-in account: online while it has a connection or a session in its grace period."""

    account_id: int
    name: str
    key: str
    role: str = "user"
    chosen: ChosenStatus = "online"
    conns: set[ConnId] = field(default_factory=set)
    parked: dict[str, float] = field(default_factory=dict)
    """Tokens of dropped sessions, each with the moment its grace period ends."""
    chat: Chat | None = None

    @property
    def status(self) -> Status:
        return "busy" if self.chat is not None else self.chosen

    @property
    def online(self) -> bool:
        return bool(self.conns or self.parked)


@dataclass(eq=False, slots=True)
class Link:
    """One open connection, signed in or not."""

    conn: ConnId
    peer: str
    connected_at: float
    user: OnlineUser | None = None
    token: str = ""
