"""What the store takes and gives back: plain immutable records and its errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

EntryKind = Literal["message", "edit", "delete"]
ConversationKind = Literal["room", "dm", "chat"]


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    name: str
    """The display name as first claimed."""
    name_key: str
    """The unique key: the name NFKC-normalised and casefolded by the caller."""
    password_hash: str
    role: str
    """``"user"`` or ``"admin"``; the first account of a database is ``"admin"``."""


@dataclass(frozen=True, slots=True)
class SignedUp:
    """A new account, a member of its first rooms, and the token that signs it in."""

    account: Account
    token: str


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """One token of an account, as its owner may see it (never the token itself)."""

    id: str
    device: str | None
    address: str | None
    created_at: float
    last_seen: float


@dataclass(frozen=True, slots=True)
class Draft:
    """An entry to store in a conversation; the store gives it its ``seq`` and ``ts``.

    ``kind`` "message" is a message; "edit" and "delete" are change records of the
    message at ``target`` (the store changes that message in the same transaction).
    """

    conversation: str
    """``"lobby"``, ``"room:<hex>"``, ``"dm:<low id>:<high id>"`` or ``"chat:<hex>"``."""
    sender_id: int
    sender: str
    """The sender's display name, stored with the message."""
    text: str
    to: str | None = None
    """The recipient's display name, for direct messages."""
    client_id: str | None = None
    """The sender's key for this send: a second draft with the same (sender, key) stores
    nothing and gets the first one's record back, marked ``duplicate``."""
    mentions: tuple[tuple[int, str], ...] = ()
    """The (account id, name) of each member the message mentions."""
    hold_for: tuple[int, ...] = ()
    """Accounts to hold the message for (offline recipients), in the same transaction."""
    members: tuple[int, ...] = ()
    """Accounts to record as members of the conversation if it is new (a first DM)."""
    kind: EntryKind = "message"
    target: int | None = None
    by_moderator: bool = False
    """A delete of someone else's message by a moderator (the hub checked the right);
    any other change must be the target's sender's."""


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A committed entry: ``seq`` counts 1, 2, 3… without gaps within its conversation.

    A message shows its text as it is now: ``edited`` once changed, ``deleted`` (and no
    text) once deleted. Change records (``kind`` "edit"/"delete") keep their own text.
    """

    conversation: str
    seq: int
    ts: float
    sender: str
    text: str
    to: str | None
    sender_id: int = 0
    kind: EntryKind = "message"
    target: int | None = None
    mentions: tuple[str, ...] = ()
    client_id: str | None = None
    edited: bool = False
    deleted: bool = False
    duplicate: bool = False
    """Only on :meth:`Store.append`'s answer: this client id was stored before."""


@dataclass(frozen=True, slots=True)
class RoomRecord:
    """A room as stored. The Lobby is the room with id ``"lobby"`` and no owner."""

    id: str
    name: str
    name_key: str
    topic: str
    private: bool
    owner_id: int | None
    created_at: float
    archived: bool = False
    members: tuple[tuple[int, str], ...] = field(default=())
    """(account id, display name) of each member, in the order they joined."""


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    """One conversation an account is in, with where the account has read to."""

    id: str
    kind: ConversationKind
    last_seq: int
    read: int
    unread: int
    """Messages (not change records, not deleted) from others after ``read``."""
    mentions: int
    """Of those, the ones that mention the account."""
    partner: str | None = None
    """The other person's display name, for a DM or a chat."""


@dataclass(frozen=True, slots=True)
class Found:
    """A search hit: ``highlights`` are [start, end) offsets of matches in ``snippet``."""

    conversation: str
    seq: int
    ts: float
    sender: str
    snippet: str
    highlights: tuple[tuple[int, int], ...]


class StoreError(Exception):
    """The database failed, or the store is closed: nothing was committed for this call."""


class StoreUnavailable(StoreError):
    """The database could not be reached or could not write just now (PostgreSQL down or
    restarting, a dropped connection; on SQLite a full disk or an I/O error): nothing was
    committed, and the same call may well work a little later."""


class RoomArchived(StoreError):
    """The entry's room is archived: nothing was stored. On PostgreSQL another process may
    have archived it a moment ago, before this one heard of it."""


class NameTaken(StoreError):
    """An account (or a room) with this name key, or one that looks like it, exists."""

    def __init__(self, message: str, holder: str, *, look_alike: bool = False) -> None:
        super().__init__(message)
        self.holder = holder
        """The display name of the account (or room) that has the name."""
        self.look_alike = look_alike
        """True when the name key differs but the confusable skeleton is the same."""
