"""PRIVMSG and NOTICE (to a channel, a nick or the service nick) and AWAY."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from hubbub.irc.channels import mine, not_mine
from hubbub.irc.lines import Line
from hubbub.irc.listener import SERVICE
from hubbub.irc.render import NOTICE_PREFIX
from hubbub.irc.service import service
from hubbub.protocol import (
    ClientRequest,
    ErrorCode,
    MessageUser,
    Ok,
    Refusal,
    Say,
    Sent,
    SetStatus,
)

if TYPE_CHECKING:
    from hubbub.irc.connection import IrcConnection


async def privmsg(c: IrcConnection, line: Line) -> None:
    notice = line.command == "NOTICE"
    if not line.params:
        if not notice:
            c.numeric("411", f"No recipient given ({line.command})")
        return
    if len(line.params) < 2 or not line.params[1]:
        if not notice:
            c.numeric("412", "No text to send")
        return
    text = line.params[1]
    for target in line.params[0].split(","):
        if c.listener.same(target, SERVICE):
            if not notice:
                await service(c, text)
            continue
        await _send(c, target, text, notice)


async def _send(c: IrcConnection, target: str, text: str, notice: bool) -> None:
    client_id = NOTICE_PREFIX + secrets.token_hex(8) if notice else None
    request: ClientRequest
    if target.startswith("#"):
        room_id = mine(c, target)
        if room_id is None:
            if not notice:
                await not_mine(c, target, "404", "Cannot send to channel (join it first)")
            return
        request = Say(id=c.next_id(), conversation=room_id, text=text, client_id=client_id)
    elif c.chat is not None and c.listener.same(c.chat[1], target):
        request = Say(id=c.next_id(), conversation=c.chat[0], text=text, client_id=client_id)
    else:
        request = MessageUser(id=c.next_id(), to=target, text=text, client_id=client_id)
    try:
        await c.ask(request, Sent)
        away = c.server.hub.online(c.listener.key(target))
        if not notice and isinstance(request, MessageUser) and away and away.status == "away":
            c.numeric("301", c.listener.nick(away.name), c.listener.away_text(away.name))
    except Refusal as refusal:
        if notice:
            return
        if refusal.code in (ErrorCode.UNKNOWN_USER, ErrorCode.INVALID_NAME):
            c.numeric("401", target, "No such nick/channel")
        elif refusal.code in (ErrorCode.NOT_A_MEMBER, ErrorCode.ROOM_ARCHIVED):
            c.numeric("404", target, refusal.message)
        elif refusal.code is ErrorCode.EMPTY_TEXT:
            c.numeric("412", "No text to send")
        else:
            c.notice(f"{target}: {refusal.message}")


async def away(c: IrcConnection, line: Line) -> None:
    text = line.params[0] if line.params else ""
    await c.ask(SetStatus(id=c.next_id(), status="away" if text else "online"), Ok)
    c.away = text or None
    if text:
        c.numeric("306", "You have been marked as being away")
    else:
        c.numeric("305", "You are no longer marked as being away")
