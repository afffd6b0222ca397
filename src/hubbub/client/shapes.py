"""The read-only shapes the client state hands to views: frozen, replaced when they change."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal, TypeAlias

from hubbub import protocol

ConversationKind: TypeAlias = Literal["room", "dm", "chat"]

DELETED_TEXT = "message deleted"
"""The text a deleted message shows in place of its own."""


@dataclass(frozen=True, slots=True)
class Conversation:
    """One conversation for a view, as :class:`protocol.ConversationInfo` names its fields.

    ``name`` is the room's name or the other person's; ``topic`` and ``private`` are None
    outside rooms; ``archived`` is true for an archived room or an ended chat.
    """

    id: str
    kind: ConversationKind
    name: str
    topic: str | None
    private: bool | None
    archived: bool | None
    last_seq: int
    read: int
    unread: int
    mentions: int


@dataclass(frozen=True, slots=True)
class ShownMessage:
    """A message as it reads now: edits applied, a deleted one a tombstone (``deleted``,
    text :data:`DELETED_TEXT`, no mentions)."""

    conversation: str
    seq: int
    ts: float
    sender: str
    text: str
    to: str | None = None
    mentions: tuple[str, ...] = ()
    edited: bool = False
    deleted: bool = False

    @classmethod
    def of(cls, message: protocol.Message) -> ShownMessage:
        shown = cls(
            message.conversation,
            message.seq,
            message.ts,
            message.sender,
            message.text,
            message.to,
            tuple(message.mentions),
            message.edited,
        )
        return shown.tombstone() if message.deleted else shown

    def tombstone(self) -> ShownMessage:
        return replace(self, text=DELETED_TEXT, mentions=(), deleted=True)


@dataclass(frozen=True, slots=True)
class Me:
    """The signed-in user: their name as the server spells it, and their status now."""

    name: str
    status: protocol.Status


@dataclass(frozen=True, slots=True)
class Line:
    """A notice for people. ``conversation`` None: not about one conversation. ``at``: the
    ``now`` it came at; ``after_seq``: the conversation's last ``seq`` then, to place it."""

    text: str
    conversation: str | None
    at: float
    after_seq: int
