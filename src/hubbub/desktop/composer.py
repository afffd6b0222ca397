"""What the text in the input means, and when to tell the others the user is typing. Pure.

Plain text is sent to the shown conversation. A line starting with ``/`` is a command
(``//`` sends a literal ``/``); :data:`COMMANDS` lists them for the help text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from hubbub.protocol import TYPING_EVERY


@dataclass(frozen=True, slots=True)
class Say:
    """Send ``text`` to the shown conversation."""

    text: str


@dataclass(frozen=True, slots=True)
class Calculate:
    """Ask the server for the value of ``expression``; the answer is shown only to you."""

    expression: str


@dataclass(frozen=True, slots=True)
class Private:
    """A private message to one user."""

    to: str
    text: str


@dataclass(frozen=True, slots=True)
class ListUsers:
    """Show everyone online."""


@dataclass(frozen=True, slots=True)
class JoinRoom:
    room: str


@dataclass(frozen=True, slots=True)
class CreateRoom:
    name: str


@dataclass(frozen=True, slots=True)
class LeaveRoom:
    """Leave the shown room."""


@dataclass(frozen=True, slots=True)
class SetTopic:
    """Set the shown room's topic."""

    topic: str


@dataclass(frozen=True, slots=True)
class Search:
    query: str


@dataclass(frozen=True, slots=True)
class Mistake:
    """The line is not a command that can be carried out; ``text`` says why."""

    text: str


Action: TypeAlias = (
    Say
    | Calculate
    | Private
    | ListUsers
    | JoinRoom
    | CreateRoom
    | LeaveRoom
    | SetTopic
    | Search
    | Mistake
)

COMMANDS: tuple[tuple[str, str], ...] = (
    ("/calc EXPRESSION", "calculate; the answer is shown only to you"),
    ("/msg NAME TEXT", "a private message to NAME"),
    ("/users", "everyone online"),
    ("/join ROOM", "join a room"),
    ("/create ROOM", "create a room"),
    ("/leave", "leave this room"),
    ("/topic TEXT", "set this room's topic"),
    ("/search WORDS", "search the messages you can read"),
)


def parse(line: str) -> Action | None:
    """The action for a line of input; None for nothing (blank input)."""
    if not line.strip():
        return None
    if line.startswith("//"):
        return Say(line[1:])
    if not line.startswith("/"):
        return Say(line)
    command, _, rest = line[1:].partition(" ")
    rest = rest.strip()
    match command.lower():
        case "calc" | "c":
            return Calculate(rest) if rest else Mistake("/calc needs an expression: /calc 2*(3+4)")
        case "msg" | "m":
            to, _, text = rest.partition(" ")
            if not to or not text.strip():
                return Mistake("/msg needs a name and a text: /msg bob hello")
            return Private(to, text.strip())
        case "users" | "who":
            return ListUsers()
        case "join":
            return JoinRoom(rest) if rest else Mistake("/join needs a room: /join design")
        case "create":
            return CreateRoom(rest) if rest else Mistake("/create needs a name: /create design")
        case "leave":
            return LeaveRoom()
        case "topic":
            return SetTopic(rest)
        case "search":
            return Search(rest) if rest else Mistake("/search needs words: /search release")
    return Mistake(f"unknown command /{command}; try /calc, /msg, /users, /join, /search")


class TypingThrottle:
    """Tell the server at most once per :data:`TYPING_EVERY` s per conversation (it drops
    the rest anyway), and again right after a send."""

    def __init__(self) -> None:
        self._last: dict[str, float] = {}

    def should_tell(self, conversation: str, now: float) -> bool:
        last = self._last.get(conversation)
        if last is not None and now - last < TYPING_EVERY:
            return False
        self._last[conversation] = now
        return True

    def sent(self, conversation: str) -> None:
        self._last.pop(conversation, None)
