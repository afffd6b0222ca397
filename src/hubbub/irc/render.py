"""The hub's events as IRC lines, for one connection (see docs/irc.md, "The mapping")."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from hubbub.irc.lines import format_line
from hubbub.irc.render_changes import edited_or_deleted, moderated, removed, typing
from hubbub.protocol import (
    ChatCancelled,
    ChatDeclined,
    ChatEnded,
    ChatRequested,
    ChatStarted,
    MemberJoined,
    MemberLeft,
    Message,
    MessageDeleted,
    MessageEdited,
    Moderated,
    Presence,
    RoomAdded,
    RoomChanged,
    RoomRemoved,
    TypingEvent,
)

if TYPE_CHECKING:
    from hubbub.irc.connection import IrcConnection
    from hubbub.irc.outlet import Decoded

NOTICE_PREFIX = "irc-notice:"
"""A ``client_id`` the listener gives a NOTICE's message, so that it is shown as a NOTICE."""


def server_time(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def msgid(conversation: str, seq: int) -> str:
    return f"{conversation}/{seq}"


def message_lines(
    c: IrcConnection, m: Message, target: str, source: str, batch: str | None = None
) -> bytes:
    """A stored message as PRIVMSG (or NOTICE) lines, one per line of its text."""
    tags: dict[str, str] = {}
    if batch is not None:
        tags["batch"] = batch
    if "server-time" in c.caps:
        tags["time"] = server_time(m.ts)
    if "message-tags" in c.caps:
        tags["msgid"] = msgid(m.conversation, m.seq)
    verb = "NOTICE" if (m.client_id or "").startswith(NOTICE_PREFIX) else "PRIVMSG"
    return b"".join(
        format_line(verb, target, text or " ", source=source, tags=tags)
        for text in m.text.split("\n")
    )


def where(c: IrcConnection, m: Message) -> tuple[str, str] | None:
    """(target, source) of a message as this connection sees it; None: not shown here."""
    mine = c.listener.same(m.sender, c.nick)
    if mine and "echo-message" not in c.caps:
        return None
    if m.to is not None:
        return (m.to if mine else c.nick), c.listener.mask(m.sender)
    channel = c.channels.get(m.conversation)
    if channel is not None:
        return channel, c.listener.mask(m.sender)
    if c.chat is not None and c.chat[0] == m.conversation:
        return (c.chat[1] if mine else c.nick), c.listener.mask(m.sender)
    return None


def render(c: IrcConnection, d: Decoded) -> bytes:
    event = d.value
    match event:
        case Message():
            if event.to is None and event.conversation in c.channels:
                if "echo-message" not in c.caps and c.listener.same(event.sender, c.nick):
                    return b""
                key = ("server-time" in c.caps, "message-tags" in c.caps)
                cached = d.lines.get(key)
                if cached is None:
                    channel = c.channels[event.conversation]
                    cached = message_lines(c, event, channel, c.listener.mask(event.sender))
                    d.lines[key] = cached
                return cached
            seen = where(c, event)
            return b"" if seen is None else message_lines(c, event, *seen)
        case RoomAdded():
            return c.joined(event.room)
        case RoomRemoved():
            return removed(c, event)
        case Moderated():
            return moderated(c, event)
        case MessageEdited() | MessageDeleted():
            return edited_or_deleted(c, event)
        case TypingEvent():
            return typing(c, event)
        case RoomChanged():
            changed = c.channels.get(event.room.id, "")
            if not changed or c.topics.get(event.room.id) == event.room.topic:
                return b""
            c.topics[event.room.id] = event.room.topic
            return format_line("TOPIC", changed, event.room.topic, source=c.listener.mask(event.by))
        case MemberJoined():
            joined = c.channels.get(event.room, "")
            if not joined or c.listener.same(event.name, c.nick):
                return b""
            c.quitted.discard(c.listener.key(event.name))
            return format_line("JOIN", joined, source=c.listener.mask(event.name))
        case MemberLeft():
            return _left(c, event)
        case Presence():
            return _away(c, event)
        case ChatRequested():
            return c.service_notice(
                f"{event.requester} asks you for a 1:1 chat (for {int(event.expires_in)} s): "
                f"/msg hubbub accept {event.requester}  or  /msg hubbub decline {event.requester}"
            )
        case ChatStarted():
            c.chat = (event.conversation, event.partner)
            return c.service_notice(
                f"You are in a 1:1 chat with {event.partner}: /msg {event.partner} to talk, "
                "/msg hubbub end to end it"
            )
        case ChatEnded():
            c.chat = None
            return c.service_notice(f"The 1:1 chat ended ({event.reason} by {event.by})")
        case ChatDeclined():
            return c.service_notice(f"{event.by} did not take your chat request ({event.reason})")
        case ChatCancelled():
            return c.service_notice(f"{event.requester}'s chat request is gone ({event.reason})")
        case _:
            return b""


def _left(c: IrcConnection, event: MemberLeft) -> bytes:
    channel = c.channels.get(event.room)
    if channel is None or c.listener.same(event.name, c.nick):
        return b""
    mask = c.listener.mask(event.name)
    if not event.quit:
        words = (event.message,) if event.message else ()
        return format_line("PART", channel, *words, source=mask)
    key = c.listener.key(event.name)
    if key in c.quitted:
        return b""
    c.quitted.add(key)
    return format_line("QUIT", f"Quit: {event.message or ''}", source=mask)


def _away(c: IrcConnection, event: Presence) -> bytes:
    if "away-notify" not in c.caps or event.full:
        return b""
    out: list[bytes] = []
    for user in event.users:
        key = c.listener.key(user.name)
        if user.status == "offline" or c.told_away.get(key) == user.status:
            continue
        c.told_away[key] = user.status
        if c.listener.same(user.name, c.nick):
            continue
        mask = c.listener.mask(user.name)
        if user.status == "away":
            out.append(format_line("AWAY", c.listener.away_text(user.name), source=mask))
        else:
            out.append(format_line("AWAY", source=mask))
    return b"".join(out)
