"""What the terminal client shows, as plain text from :class:`ClientState`'s shapes.

Pure functions, unit-tested without a terminal; the widgets only add colour.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from hubbub import protocol
from hubbub.client.pane import clock, interleave, typing_text
from hubbub.client.roster import Member
from hubbub.client.state import ClientState, Conversation, Line, ShownMessage

RowKind = Literal["message", "own", "mention", "notice"]

MARKS = {"room": "#", "dm": "@", "chat": "⇄"}
STATUS_MARKS: dict[str, str] = {"online": "●", "busy": "■", "away": "◐", "offline": "○"}
TRANSCRIPT_ROWS = 500
"""Rows the message pane keeps; older ones are in the server's history."""


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the message pane: a message (``who`` said it) or a notice (no ``who``)."""

    time: str
    who: str | None
    text: str
    kind: RowKind

    @property
    def plain(self) -> str:
        if self.who is None:
            return f"{self.time} · {self.text}"
        return f"{self.time} {self.who}: {self.text}"


Item = tuple[str, str, bool]
"""A row of a list: its key, its label, and whether it stands out (unread, online)."""


@dataclass(frozen=True, slots=True)
class Frame:
    """Everything the window shows at one moment, drawn from the state."""

    status: str
    conversations: list[Item]
    current: str | None
    title: str
    rows: list[Row]
    typing: str
    people: list[Item]


def frame(state: ClientState, notes: Iterable[Line], connection: str, now: float) -> Frame:
    """The window for ``state``; ``notes`` are the app's own notices (answers for this user
    only), ``connection`` says "reconnecting…" and the like, or nothing."""
    me = "" if state.me is None else state.me.name
    status = f"{me} · {state.me.status}" if state.me else ""
    current = state.current
    shown = None if current is None else state.conversation(current)
    online = state.online
    listed = [
        (c.id, conversation_label(c, online.get(c.name)), c.unread > 0) for c in state.conversations
    ]
    if current is None:
        lines = [line for line in state.lines if line.conversation is None]
    else:
        lines = state.lines_for(current)
    lines += [note for note in notes if note.conversation in (None, current)]
    messages = [] if current is None else state.messages(current)
    typing = [] if current is None else state.typing_names(current, now)
    room = shown is not None and shown.kind == "room"
    members = state.members(current) if room and current is not None else []
    everyone = [
        (name, person_label(name, seen, role, me=name == me), seen != "offline")
        for name, seen, role in people(members, online, room)
    ]
    return Frame(
        f"{status} · {connection}" if connection else status,
        listed,
        current,
        conversation_title(shown),
        transcript(messages, lines, me),
        typing_text(typing),
        everyone,
    )


def names_known(state: ClientState) -> set[str]:
    """The names tab completion offers: people online, the room's members, DM partners, me."""
    names = set(state.online) | ({state.me.name} if state.me else set())
    if state.current is not None:
        names |= {member.name for member in state.members(state.current)}
    return names | {c.name for c in state.conversations if c.kind != "room"}


def conversation_label(conversation: Conversation, status: protocol.SeenStatus | None) -> str:
    """A conversation in the list: kind mark, name, the partner's status if not plainly
    online, unread and mention counts, and whether a chat is over."""
    parts = [f"{MARKS[conversation.kind]} {conversation.name}"]
    if conversation.kind != "room" and status is not None and status != "online":
        parts.append(f"[{status}]")
    if conversation.kind == "chat" and conversation.archived:
        parts.append("(ended)")
    if conversation.unread:
        parts.append(str(conversation.unread))
    if conversation.mentions:
        parts.append(f"@{conversation.mentions}")
    return " ".join(parts)


def conversation_title(conversation: Conversation | None) -> str:
    """The line above the messages: what is shown, and the room's topic."""
    if conversation is None:
        return "no conversation: /join a room or /msg someone"
    if conversation.kind == "room":
        title = f"# {conversation.name}"
        if conversation.private:
            title += " (private)"
        if conversation.archived:
            title += " (archived)"
        return f"{title} — {conversation.topic}" if conversation.topic else title
    if conversation.kind == "dm":
        return f"@ {conversation.name} — private messages"
    ended = " (ended)" if conversation.archived else ""
    return f"⇄ 1:1 chat with {conversation.name}{ended} — /end to end it"


def person_label(
    name: str, status: protocol.SeenStatus, role: str | None = None, *, me: bool = False
) -> str:
    """Someone in the people list: a status mark, the name, a busy/away badge, the owner."""
    label = f"{STATUS_MARKS[status]} {name}" + (" (you)" if me else "")
    if status in ("busy", "away"):
        label += f" {status}"
    if role == "owner":
        label += " (owner)"
    return label


def people(
    members: Iterable[Member], online: Mapping[str, protocol.SeenStatus], room: bool
) -> list[tuple[str, protocol.SeenStatus, str | None]]:
    """The people list: a room's members, online ones first; elsewhere everyone online."""
    if not room:
        return [(name, status, None) for name, status in online.items()]
    ordered = sorted(members, key=lambda member: not member.online)
    return [(member.name, member.status, member.role) for member in ordered]


def transcript(
    messages: list[ShownMessage], lines: Iterable[Line], me: str, limit: int = TRANSCRIPT_ROWS
) -> list[Row]:
    """The last ``limit`` rows: messages by ``seq`` with the notices placed among them."""
    return [
        Row(clock(item.at), None, item.text, "notice")
        if isinstance(item, Line)
        else _message_row(item, me)
        for item in interleave(messages, lines)[-limit:]
    ]


def _message_row(message: ShownMessage, me: str) -> Row:
    text = message.text + (" (edited)" if message.edited and not message.deleted else "")
    if message.sender.casefold() == me.casefold():
        kind: RowKind = "own"
    elif any(name.casefold() == me.casefold() for name in message.mentions):
        kind = "mention"
    else:
        kind = "message"
    return Row(clock(message.ts), message.sender, text, kind)
