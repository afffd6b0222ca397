"""The message pane as lines of text: messages and notices merged in order, and the
typing line. Pure; the Tk pane draws what this returns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

from hubbub.client.pane import clock, interleave
from hubbub.client.state import Conversation, Line, ShownMessage

Style: TypeAlias = Literal["mine", "theirs", "mention", "deleted", "notice"]

YOU = "You"


@dataclass(frozen=True, slots=True)
class PaneLine:
    """One line of the pane. ``who`` is "You", a name, or empty for a notice; ``key``
    changes whenever the line would be drawn differently."""

    key: tuple[object, ...]
    time: str
    who: str
    text: str
    style: Style
    seq: int | None = None


def message_line(message: ShownMessage, me: str) -> PaneLine:
    mine = message.sender.casefold() == me.casefold()
    style: Style
    if message.deleted:
        style = "deleted"
    elif mine:
        style = "mine"
    elif me.casefold() in {name.casefold() for name in message.mentions}:
        style = "mention"
    else:
        style = "theirs"
    text = f"{message.text} (edited)" if message.edited and not message.deleted else message.text
    key = ("m", message.seq, text, style)
    who = YOU if mine else message.sender
    return PaneLine(key, clock(message.ts), who, text, style, message.seq)


def notice_line(line: Line) -> PaneLine:
    return PaneLine(("n", line.at, line.text), clock(line.at), "", line.text, "notice")


def transcript(
    messages: Sequence[ShownMessage], notices: Iterable[Line], me: str
) -> list[PaneLine]:
    """Messages by ``seq`` with each notice placed among them (see :func:`interleave`)."""
    return [
        notice_line(item) if isinstance(item, Line) else message_line(item, me)
        for item in interleave(messages, notices)
    ]


def header(conversation: Conversation | None) -> tuple[str, str]:
    """The pane's title and the line under it (a room's topic, what a chat is)."""
    if conversation is None:
        return "hubbub", ""
    if conversation.kind == "room":
        title = f"# {conversation.name}"
        topic = conversation.topic or "no topic yet"
        return title, f"{topic} (archived)" if conversation.archived else topic
    if conversation.kind == "dm":
        return conversation.name, "private messages: only the two of you see them"
    over = " — ended" if conversation.archived else ""
    return f"Chat with {conversation.name}", f"1:1 chat{over}"
