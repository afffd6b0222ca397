"""What the store takes and gives back: plain immutable records and its two errors."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    name: str
    """The display name as first claimed."""
    name_key: str
    """The unique key: the name NFKC-normalised and casefolded by the caller."""
    password_hash: str
    role: str
    """``"user"`` or ``"admin"``; new accounts are ``"user"``."""


@dataclass(frozen=True, slots=True)
class Draft:
    """A message to store; the store gives it its ``seq`` and ``ts``."""

    conversation: str
    """``"lobby"``, ``"dm:<low id>:<high id>"`` or ``"chat:<hex>"``."""
    sender_id: int
    sender: str
    """The sender's display name, stored with the message."""
    text: str
    to: str | None = None
    """The recipient's display name, for direct messages."""


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A committed message: ``seq`` counts 1, 2, 3… without gaps within its conversation."""

    conversation: str
    seq: int
    ts: float
    sender: str
    text: str
    to: str | None


class StoreError(Exception):
    """The database failed, or the store is closed: nothing was committed for this call."""


class NameTaken(StoreError):
    """An account with this name key already exists."""
