"""The slash commands of the terminal client: their names, help, and how a line is read.

Plain text goes to the conversation shown; a line starting with ``/`` is a command
(``//`` sends a line starting with ``/``). Arguments that are a name or a room name
take the rest of the line where that is all the command needs (room names may hold spaces).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CommandHelp:
    name: str
    usage: str
    meaning: str


COMMANDS: tuple[CommandHelp, ...] = (
    CommandHelp("msg", "/msg NAME TEXT", "a private message (no text: open the conversation)"),
    CommandHelp("calc", "/calc EXPR", "calculate; the answer is shown only to you"),
    CommandHelp("users", "/users", "who is online, with their status"),
    CommandHelp("chat", "/chat NAME", "ask NAME for a 1:1 chat"),
    CommandHelp("accept", "/accept NAME", "accept NAME's chat request"),
    CommandHelp("decline", "/decline NAME", "decline NAME's chat request"),
    CommandHelp("end", "/end", "end the 1:1 chat"),
    CommandHelp("away", "/away", "show as away"),
    CommandHelp("back", "/back", "show as online again"),
    CommandHelp("join", "/join ROOM", "join a room (or go to one you are in)"),
    CommandHelp("leave", "/leave [ROOM]", "leave a room (default: the one shown)"),
    CommandHelp("create", "/create [--private] ROOM", "create a room"),
    CommandHelp("topic", "/topic TEXT", "set the topic of the room shown"),
    CommandHelp("invite", "/invite NAME", "add NAME to the room shown"),
    CommandHelp("rooms", "/rooms", "the room directory"),
    CommandHelp("search", "/search TEXT", "search every conversation you are in"),
    CommandHelp("help", "/help", "this list"),
    CommandHelp("quit", "/quit", "leave hubbub (the session resumes next time)"),
)
COMMAND_NAMES: tuple[str, ...] = tuple(command.name for command in COMMANDS)


@dataclass(frozen=True, slots=True)
class Command:
    """``/name args``: ``args`` is the rest of the line, stripped."""

    name: str
    args: str

    def split(self) -> tuple[str, str]:
        """The first word of ``args`` and the rest (for ``/msg NAME TEXT``)."""
        first, _, rest = self.args.partition(" ")
        return first, rest.strip()


@dataclass(frozen=True, slots=True)
class Text:
    """A line to send as it is."""

    text: str


@dataclass(frozen=True, slots=True)
class Unknown:
    name: str


def parse(line: str) -> Command | Text | Unknown | None:
    """What a submitted line means; None for a blank line."""
    if not line.strip():
        return None
    if line.startswith("//"):
        return Text(line[1:])
    if not line.startswith("/"):
        return Text(line)
    name, _, args = line[1:].partition(" ")
    name = name.lower()
    if name not in COMMAND_NAMES:
        return Unknown(name)
    return Command(name, args.strip())


def help_lines() -> list[str]:
    width = max(len(command.usage) for command in COMMANDS)
    lines = [f"{command.usage:<{width}}  {command.meaning}" for command in COMMANDS]
    return [*lines, "Plain text goes to the conversation shown; // sends a line starting with /."]
