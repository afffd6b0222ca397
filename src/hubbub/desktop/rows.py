"""The rows of the main window's two lists: conversations with their counts, and the
people online with their status. Pure."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from hubbub.client.state import Conversation, ConversationKind
from hubbub.protocol import SeenStatus

ALONE_TEXT = "No one else is online yet…"

SECTIONS: tuple[tuple[ConversationKind, str], ...] = (
    ("room", "Rooms"),
    ("chat", "1:1 chat"),
    ("dm", "Direct messages"),
)


@dataclass(frozen=True, slots=True)
class ConversationRow:
    id: str
    kind: ConversationKind
    label: str
    badge: str
    """Unread count, and mentions after "@": "3", "3 @1", or empty."""
    unread: bool


def badge(unread: int, mentions: int) -> str:
    if not unread:
        return ""
    return f"{unread} @{mentions}" if mentions else str(unread)


def conversation_rows(conversations: Iterable[Conversation]) -> list[ConversationRow]:
    """One row per conversation, grouped by kind in :data:`SECTIONS` order."""
    rows: list[ConversationRow] = []
    listed = list(conversations)
    for kind, _ in SECTIONS:
        for conversation in listed:
            if conversation.kind != kind:
                continue
            label = conversation.name
            if conversation.archived:
                label += " (ended)" if kind == "chat" else " (archived)"
            rows.append(
                ConversationRow(
                    conversation.id,
                    kind,
                    label,
                    badge(conversation.unread, conversation.mentions),
                    conversation.unread > 0,
                )
            )
    return rows


@dataclass(frozen=True, slots=True)
class PersonRow:
    name: str
    status: SeenStatus
    label: str
    """What the status column says: "online", "busy — in a chat", "waiting for answer"."""
    can_request: bool
    """A click sends this person a chat request."""


def people_rows(
    online: Mapping[str, SeenStatus], *, in_chat: bool, asked: Collection[str]
) -> list[PersonRow]:
    """Everyone online but me. Busy people, people already asked, and everyone while I am
    in a chat cannot be sent a request."""
    waiting = {name.casefold() for name in asked}
    rows: list[PersonRow] = []
    for name, status in online.items():
        pending = name.casefold() in waiting
        if status == "busy":
            label = "busy — in a chat"
        elif pending:
            label = "waiting for answer"
        else:
            label = status
        free = status != "busy" and not pending and not in_chat
        rows.append(PersonRow(name, status, label, free))
    return rows


def waiting_text(asked: Iterable[str]) -> str:
    """``waiting for bob's answer…``, for every request of mine not yet answered."""
    names = list(asked)
    if not names:
        return ""
    if len(names) == 1:
        return f"waiting for {names[0]}'s answer…"
    return f"waiting for answers from {', '.join(names[:-1])} and {names[-1]}…"
