"""The message pane as lines of text: messages and notices merged in order, and the
typing line. Pure; the Tk pane draws what this returns."""

from __future__ import annotations

import bisect
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

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


def clock(ts: float) -> str:
    """A Unix time as the local hour and minute."""
    return time.strftime("%H:%M", time.localtime(ts))


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
    """Messages by ``seq`` with each notice after the messages that came before it.

    A notice sits after the message it was given with (``after_seq``) and after every
    message stamped earlier than it, whichever is later: a notice made before its
    conversation was loaded still lands among the messages of its time.
    """
    stamps = [message.ts for message in messages]
    keyed: list[tuple[tuple[int, int, float], PaneLine]] = [
        ((message.seq, 0, message.ts), message_line(message, me)) for message in messages
    ]
    for notice in notices:
        earlier = bisect.bisect_right(stamps, notice.at)
        by_time = messages[earlier - 1].seq if earlier else 0
        anchor = max(notice.after_seq, by_time)
        keyed.append(((anchor, 1, notice.at), notice_line(notice)))
    keyed.sort(key=lambda item: item[0])
    return [line for _, line in keyed]


def typing_text(names: Sequence[str]) -> str:
    """``bob is typing…``; empty when nobody is."""
    if not names:
        return ""
    if len(names) == 1:
        return f"{names[0]} is typing…"
    if len(names) == 2:
        return f"{names[0]} and {names[1]} are typing…"
    return f"{names[0]}, {names[1]} and {len(names) - 2} more are typing…"


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
