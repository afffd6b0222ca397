"""The sentences a client shows for moderation events: to the member acted on, and to the room."""

from __future__ import annotations

import time

from hubbub import protocol


def clock(ts: float) -> str:
    """``ts`` (Unix time) as the local HH:MM."""
    return time.strftime("%H:%M", time.localtime(ts))


def _because(note: str) -> str:
    return f" ({note})" if note else ""


def removed(event: protocol.RoomRemoved, room: str) -> str:
    """What I am told when I leave ``room`` (its name) or a moderator removes me."""
    if event.reason == "left":
        return f"You left {room}"
    how = "banned from" if event.reason == "banned" else "kicked from"
    return f"You were {how} {room} by {event.by}{_because(event.note)}"


def muted(event: protocol.Muted, room: str) -> str:
    if event.until is None:
        return f"You can write in {room} again: {event.by} unmuted you"
    return f"You are muted in {room} until {clock(event.until)} by {event.by}{_because(event.note)}"


_DONE = {
    "kicked": "was kicked",
    "banned": "was banned",
    "unbanned": "was unbanned",
    "unmuted": "was unmuted",
    "moderator": "is now a moderator",
    "member": "is no longer a moderator",
}


def moderated(event: protocol.Moderated) -> str:
    """The room's line: "bob was muted until 14:05 by olga (spam)"."""
    if event.action in ("moderator", "member"):
        return f"{event.name} {_DONE[event.action]} (by {event.by})"
    if event.action == "muted" and event.until is not None:
        done = f"was muted until {clock(event.until)}"
    else:
        done = _DONE[event.action]
    return f"{event.name} {done} by {event.by}{_because(event.note)}"
