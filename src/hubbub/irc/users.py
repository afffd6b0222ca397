"""Who is who: WHO, WHOIS, and the server's own PING, LUSERS, MOTD and VERSION."""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING

from hubbub import __version__
from hubbub.irc.channels import mine
from hubbub.irc.lines import Line
from hubbub.irc.welcome import isupport
from hubbub.protocol import MemberList, Members

if TYPE_CHECKING:
    from hubbub.irc.connection import IrcConnection


WHOX_ORDER = "tcuihsnfdlaor"
"""The fields of a WHOX reply (354), in the order they are sent whatever the order asked."""


def _who_line(
    c: IrcConnection, channel: str, name: str, status: str, owner: bool, whox: str | None
) -> None:
    user, host, realname = c.listener.userhost(name)
    live = c.server.hub.online(c.listener.key(name))
    status = live.status if live is not None else status
    client = c.listener.client(name)
    operator = client is not None and client.operator
    flags = ("G" if status == "away" else "H") + ("*" if operator else "") + ("@" if owner else "")
    nick = c.listener.nick(name)
    if whox is None:
        c.numeric("352", channel, user, host, c.listener.name, nick, flags, f"0 {realname}")
        return
    fields, _, token = whox.partition(",")
    account = "0" if client is None or client.guest else name
    values = {
        "t": token,
        "c": channel,
        "u": user,
        "i": "255.255.255.255",
        "h": host,
        "s": c.listener.name,
        "n": nick,
        "f": flags,
        "d": "0",
        "l": "0",
        "a": account,
        "o": "n/a",
        "r": realname,
    }
    c.numeric("354", *(values[field] for field in WHOX_ORDER if field in fields))


async def who(c: IrcConnection, line: Line) -> None:
    mask = line.params[0] if line.params else "*"
    whox = line.params[1][1:] if len(line.params) > 1 and line.params[1].startswith("%") else None
    if mask.startswith("#"):
        room_id = mine(c, mask)
        if room_id is not None:
            listed = await c.ask(Members(id=c.next_id(), room=room_id), MemberList)
            for member in listed.members:
                owner = member.role == "owner"
                _who_line(c, c.channels[room_id], member.name, member.status, owner, whox)
    else:
        pattern = mask.casefold()
        exact = not any(char in mask for char in "*?")
        for found in c.server.hub.all_users():
            if not fnmatch.fnmatchcase(c.listener.nick(found.name).casefold(), pattern):
                continue
            if exact or not _hidden(c, found.name):
                _who_line(c, "*", found.name, found.status, False, whox)
    c.numeric("315", mask, "End of WHO list")


def _hidden(c: IrcConnection, name: str) -> bool:
    """An invisible (+i) IRC user who shares no channel with ``c`` (WHO masks skip them)."""
    client = c.listener.client(name)
    if client is None or not client.invisible or client is c:
        return False
    return not set(client.channels).intersection(c.channels)


async def whois(c: IrcConnection, line: Line) -> None:
    if not line.params:
        c.numeric("431", "No nickname given")
        return
    target = line.params[-1]
    found = c.server.hub.online(c.listener.key(target))
    if found is None:
        c.numeric("401", target, "No such nick/channel")
        c.numeric("318", target, "End of /WHOIS list")
        return
    nick = c.listener.nick(found.name)
    user, host, realname = c.listener.userhost(found.name)
    c.numeric("311", nick, user, host, "*", realname)
    shared = [
        c.channels[room.id]
        for room in c.server.hub.rooms.of(found.account_id)
        if room.id in c.channels
    ]
    if shared:
        c.numeric("319", nick, " ".join(shared))
    c.numeric("312", nick, c.listener.name, "hubbub")
    client = c.listener.client(found.name)
    if client is not None and client.operator:
        c.numeric("313", nick, "is an IRC operator (holds a hubbub admin's password)")
    if found.status == "away":
        c.numeric("301", nick, c.listener.away_text(found.name))
    if not found.guest:
        c.numeric("330", nick, found.name, "is logged in as")
    c.numeric("318", nick, "End of /WHOIS list")


async def ping(c: IrcConnection, line: Line) -> None:
    if not line.params:
        c.numeric("409", "No origin specified")
        return
    c.line("PONG", c.listener.name, line.params[0], source=c.listener.name)


async def pong(c: IrcConnection, line: Line) -> None:
    return None


async def lusers(c: IrcConnection, line: Line) -> None:
    from hubbub.irc.welcome import lusers as tell

    tell(c)


async def motd(c: IrcConnection, line: Line) -> None:
    from hubbub.irc.welcome import motd as tell

    tell(c)


async def version(c: IrcConnection, line: Line) -> None:
    c.numeric("351", f"hubbub-{__version__}", c.listener.name, "the hubbub IRC listener")
    isupport(c)


async def userhost(c: IrcConnection, line: Line) -> None:
    replies = []
    for name in line.params[:5]:
        found = c.server.hub.online(c.listener.key(name))
        if found is not None:
            user, host, _ = c.listener.userhost(found.name)
            away = "-" if found.status == "away" else "+"
            replies.append(f"{c.listener.nick(found.name)}={away}{user}@{host}")
    c.numeric("302", " ".join(replies))
