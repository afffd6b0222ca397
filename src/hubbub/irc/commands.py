"""Which function handles which IRC command, and what may come before registration."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from hubbub.irc import channels, history, moderation, registration, talk, user_modes, users
from hubbub.irc.connection import Closed
from hubbub.irc.labels import labelled
from hubbub.irc.lines import Line
from hubbub.protocol import Refusal

if TYPE_CHECKING:
    from hubbub.irc.connection import IrcConnection

Handler = Callable[["IrcConnection", Line], Awaitable[None]]


async def quit_(c: IrcConnection, line: Line) -> None:
    c.quit_message = line.params[0] if line.params else ""
    c.line("ERROR", f"Closing link: {c.host} (Quit: {c.quit_message})")
    raise Closed


BEFORE: dict[str, Handler] = {
    "CAP": registration.cap,
    "NICK": registration.nick,
    "USER": registration.user,
    "PASS": registration.password,
    "AUTHENTICATE": registration.authenticate,
    "PING": users.ping,
    "PONG": users.pong,
    "QUIT": quit_,
}
AFTER: dict[str, Handler] = {
    "JOIN": channels.join,
    "PART": channels.part,
    "TOPIC": channels.topic,
    "NAMES": channels.names,
    "LIST": channels.list_channels,
    "MODE": channels.mode,
    "OPER": user_modes.oper,
    "KICK": moderation.kick,
    "TAGMSG": moderation.tagmsg,
    "PRIVMSG": talk.privmsg,
    "NOTICE": talk.privmsg,
    "AWAY": talk.away,
    "WHO": users.who,
    "WHOIS": users.whois,
    "USERHOST": users.userhost,
    "LUSERS": users.lusers,
    "MOTD": users.motd,
    "VERSION": users.version,
    "CHATHISTORY": history.chathistory,
}


async def dispatch(c: IrcConnection, line: Line) -> None:
    handler = BEFORE.get(line.command)
    if handler is None:
        handler = AFTER.get(line.command)
        if handler is not None and not c.registered:
            c.numeric("451", "You have not registered")
            return
    if handler is None:
        if c.registered:
            c.numeric("421", line.command, "Unknown command")
        return
    label = line.tags.get("label") if "labeled-response" in c.caps else None
    if label is None:
        await _handle(c, handler, line)
        return
    c.outlet.capture()
    try:
        await _handle(c, handler, line)
    finally:
        c.send(labelled(c, label, c.outlet.captured()))


async def _handle(c: IrcConnection, handler: Handler, line: Line) -> None:
    try:
        await handler(c, line)
    except Refusal as refusal:
        c.notice(f"{line.command}: {refusal.message}")
