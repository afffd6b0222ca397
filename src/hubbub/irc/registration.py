"""Registration: CAP negotiation, NICK/USER, PASS and SASL PLAIN, then the welcome.

With credentials (``PASS name:password``, ``PASS name:token=TOKEN`` or SASL PLAIN) the
connection signs in to that hubbub account and takes its name as nick. Without, it
becomes a guest (hub/guests.py) under its nick, unless ``--irc-guests off``; a nick
that an account holds is refused with 433.
"""

from __future__ import annotations

import base64
import binascii
import time
from typing import TYPE_CHECKING

from hubbub.hub.guests import sign_in_guest
from hubbub.irc.connection import Closed
from hubbub.irc.lines import Line
from hubbub.irc.nick_change import change_guest_nick
from hubbub.irc.welcome import welcome
from hubbub.protocol import ErrorCode, Refusal, RoomList, Rooms, SignedIn, SignIn

if TYPE_CHECKING:
    from hubbub.irc.connection import IrcConnection

CAPS = {
    "away-notify": "",
    "batch": "",
    "draft/chathistory": "",
    "echo-message": "",
    "labeled-response": "",
    "message-tags": "",
    "multi-prefix": "",
    "sasl": "PLAIN",
    "server-time": "",
    "userhost-in-names": "",
}
_NICK_FORBIDDEN = set(" ,*?!@.#&:$\r\n\x00")


async def cap(c: IrcConnection, line: Line) -> None:
    sub = line.params[0].upper() if line.params else ""
    target = c.nick
    if sub == "LS":
        if not c.registered:
            c.negotiating = True
        modern = len(line.params) > 1 and line.params[1].isdigit() and int(line.params[1]) >= 302
        listed = " ".join(
            f"{name}={value}" if value and modern else name for name, value in CAPS.items()
        )
        c.line("CAP", target, "LS", listed, source=c.listener.name)
    elif sub == "LIST":
        c.line("CAP", target, "LIST", " ".join(sorted(c.caps)), source=c.listener.name)
    elif sub == "REQ":
        if not c.registered:
            c.negotiating = True
        wanted = line.params[1].split() if len(line.params) > 1 else []
        if wanted and all(name.removeprefix("-") in CAPS for name in wanted):
            for name in wanted:
                if name.startswith("-"):
                    c.caps.discard(name[1:])
                else:
                    c.caps.add(name)
            c.line("CAP", target, "ACK", " ".join(wanted), source=c.listener.name)
        else:
            c.line("CAP", target, "NAK", " ".join(wanted), source=c.listener.name)
    elif sub == "END":
        c.negotiating = False
        await complete(c)
    else:
        c.numeric("410", sub or "*", "Invalid CAP command")


def valid_nick(nick: str) -> bool:
    return (
        0 < len(nick) <= 32
        and not nick[0].isdigit()
        and nick[0] not in "-"
        and not _NICK_FORBIDDEN.intersection(nick)
    )


async def nick(c: IrcConnection, line: Line) -> None:
    if not line.params or not line.params[0]:
        c.numeric("431", "No nickname given")
        return
    wanted = line.params[0]
    if not valid_nick(wanted):
        c.numeric("432", wanted, "Erroneous nickname")
        return
    await c.listener.gone(wanted)
    same = c.listener.same(wanted, c.nick)
    if not same and (c.listener.client(wanted) or c.server.hub.online(c.listener.key(wanted))):
        c.numeric("433", wanted, "Nickname is already in use")
        return
    if c.registered:
        if same:
            if wanted != c.nick:
                c.line("NICK", wanted, source=c.mask)
                c.nick = wanted
        elif c.guest:
            await change_guest_nick(c, wanted)
        else:
            c.numeric("432", wanted, "hubbub names are accounts: only its case can change")
        return
    c.nick = wanted
    await complete(c)


async def user(c: IrcConnection, line: Line) -> None:
    if c.registered:
        c.numeric("462", "You may not reregister")
        return
    if len(line.params) < 4 or not line.params[0] or not line.params[3]:
        c.numeric("461", "USER", "Not enough parameters")
        return
    c.user = line.params[0][:16]
    c.realname = line.params[3]
    await complete(c)


async def password(c: IrcConnection, line: Line) -> None:
    if c.registered:
        c.numeric("462", "You may not reregister")
        return
    if not line.params:
        c.numeric("461", "PASS", "Not enough parameters")
        return
    name, sep, secret = line.params[0].partition(":")
    c.credentials = (name, secret) if sep else ("", line.params[0])


async def authenticate(c: IrcConnection, line: Line) -> None:
    if c.registered or c.sasl_done:
        c.numeric("907", "You have already authenticated using SASL")
        return
    arg = line.params[0] if line.params else ""
    if arg == "*":
        c.sasl_mechanism = None
        c.numeric("906", "SASL authentication aborted")
        return
    if c.sasl_mechanism is None:
        if arg.upper() != "PLAIN":
            c.numeric("908", "PLAIN", "are available SASL mechanisms")
            c.numeric("904", "SASL authentication failed")
            return
        c.sasl_mechanism = "PLAIN"
        c.line("AUTHENTICATE", "+")
        return
    c.sasl_mechanism = None
    try:
        _, name, secret = base64.b64decode(arg, validate=True).decode().split("\x00")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        c.numeric("904", "SASL authentication failed: send base64 of authzid NUL name NUL password")
        return
    try:
        signed = await sign_in(c, name, secret)
    except Refusal as refusal:
        c.numeric("904", f"SASL authentication failed: {refusal.message}")
        return
    c.sasl_done = True
    c.nick = c.listener.nick(signed.name)
    c.numeric("900", c.mask, signed.name, f"You are now logged in as {signed.name}")
    c.numeric("903", "SASL authentication successful")


async def sign_in(c: IrcConnection, name: str, secret: str) -> SignedIn:
    if secret.startswith("token="):
        request = SignIn(id=c.next_id(), name=name, token=secret.removeprefix("token="))
    else:
        request = SignIn(id=c.next_id(), name=name, password=secret)
    return await c.ask(request, SignedIn)


async def complete(c: IrcConnection) -> None:
    """Register once NICK and USER are in and CAP negotiation (if any) is over."""
    if c.registered or c.negotiating or c.nick == "*" or c.user is None:
        return
    hub = c.server.hub
    try:
        if hub.user_of(c.conn) is None and c.credentials is not None:
            name, secret = c.credentials
            await sign_in(c, name or c.nick, secret)
        elif hub.user_of(c.conn) is None:
            if not c.listener.config.guests:
                c.numeric("464", "This server needs an account: PASS name:password, or SASL")
                raise Closed
            await c.listener.settled()
            request_id = c.next_id()
            decision = sign_in_guest(hub, c.conn, request_id, c.nick, time.monotonic())
            await c.run(request_id, decision, SignedIn)
    except Refusal as refusal:
        if refusal.code in (ErrorCode.NAME_IN_USE, ErrorCode.RATE_LIMITED):
            c.numeric("433", c.nick, refusal.message)
            c.nick = "*"
            return
        if refusal.code is ErrorCode.INVALID_NAME:
            c.numeric("432", c.nick, refusal.message)
            c.nick = "*"
            return
        c.numeric("464", refusal.message)
        raise Closed from None
    user = hub.signed_in(c.conn)
    c.nick = c.listener.nick(user.name)
    c.registered = True
    c.listener.remember(c)
    welcome(c)
    rooms = await c.ask(Rooms(id=c.next_id()), RoomList)
    for room in rooms.rooms:
        if room.joined:
            c.send(c.joined(room))
            await c.names_sent(room.id)
