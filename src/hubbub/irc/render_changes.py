"""The hub's events that IRC shows in its own way: kicks, edits, deletes, typing.

- A kick or a room ban: ``KICK #chan nick :reason`` from the moderator. The room hears
  the member leave, then the moderation; on IRC the pair is one ``KICK`` (the ``PART``
  the first would be is replaced, in the same write, by the ``KICK``).
- Other moderation (mutes, moderators appointed, a ban of someone not in the room): a
  ``NOTICE`` to the channel from the server saying what was done.
- An edit: a ``NOTICE`` to the channel (or the query) from its author,
  ``edited: NEW TEXT``; a delete: ``deleted a message``. With ``message-tags`` both carry
  ``+draft/reply=<msgid of the message>``.
- Typing: ``@+typing=active TAGMSG #chan`` from the typist, with ``message-tags`` only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubbub.irc.lines import format_line
from hubbub.protocol import MessageDeleted, MessageEdited, Moderated, RoomRemoved, TypingEvent

if TYPE_CHECKING:
    from hubbub.irc.connection import IrcConnection


def removed(c: IrcConnection, event: RoomRemoved) -> bytes:
    """This connection's user is out of a room: it left (PART) or was kicked or banned."""
    channel = c.channels.pop(event.room, "")
    if not channel:
        return b""
    if event.reason != "left":
        by = c.listener.mask(event.by or c.listener.name)
        return format_line("KICK", channel, c.nick, _why(event.reason, event.note), source=by)
    words = (c.parting.pop(event.room),) if event.room in c.parting else ()
    return format_line("PART", channel, *words, source=c.mask)


def moderated(c: IrcConnection, event: Moderated) -> bytes:
    channel = c.channels.get(event.room)
    if channel is None:
        return b""
    if event.action in ("kicked", "banned"):
        part = format_line("PART", channel, source=c.listener.mask(event.name))
        kick = format_line(
            "KICK",
            channel,
            c.listener.nick(event.name),
            _why(event.action, event.note),
            source=c.listener.mask(event.by),
        )
        if c.outlet.replace(part, kick):
            return b""
    note = f": {event.note}" if event.note else ""
    text = f"{event.by} {_DONE[event.action]} {event.name}{note}"
    return format_line("NOTICE", channel, text, source=c.listener.name)


_DONE = {
    "kicked": "kicked",
    "banned": "banned",
    "unbanned": "unbanned",
    "muted": "muted",
    "unmuted": "unmuted",
    "moderator": "made a moderator:",
    "member": "made a plain member again:",
}


def _why(action: str, note: str) -> str:
    said = "banned from the room" if action == "banned" else "kicked"
    return f"{said}: {note}" if note else said


def edited_or_deleted(c: IrcConnection, event: MessageEdited | MessageDeleted) -> bytes:
    target = _target(c, event.conversation, event.sender)
    if target is None:
        return b""
    tags = (
        {"+draft/reply": f"{event.conversation}/{event.target}"}
        if "message-tags" in c.caps
        else None
    )
    if isinstance(event, MessageEdited):
        return b"".join(
            format_line(
                "NOTICE", target, f"edited: {text}", source=c.listener.mask(event.sender), tags=tags
            )
            for text in event.text.split("\n")
        )
    return format_line(
        "NOTICE", target, "deleted a message", source=c.listener.mask(event.sender), tags=tags
    )


def typing(c: IrcConnection, event: TypingEvent) -> bytes:
    if "message-tags" not in c.caps:
        return b""
    target = _target(c, event.conversation, event.name)
    if target is None:
        return b""
    return format_line(
        "TAGMSG", target, source=c.listener.mask(event.name), tags={"+typing": "active"}
    )


def _target(c: IrcConnection, conversation: str, sender: str) -> str | None:
    """Where a change in ``conversation`` by ``sender`` is shown: its channel, or the query
    with the 1:1 chat's partner."""
    channel = c.channels.get(conversation)
    if channel is not None:
        return channel
    if c.chat is not None and c.chat[0] == conversation:
        return c.nick if not c.listener.same(sender, c.nick) else c.chat[1]
    return None
