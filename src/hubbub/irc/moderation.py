"""KICK is hubbub's kick (room moderation), and TAGMSG carries typing (``+typing``).

``KICK #chan nick :reason`` asks the hub to kick: the room's owner, its moderators and the
server's admins may (482 for anyone else, 441 for a nick not in the room). A kick or a
room ban, made on IRC or anywhere else, reaches IRC as ``KICK``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubbub.irc.channels import mine, on_channel
from hubbub.irc.lines import Line
from hubbub.protocol import ErrorCode, Kick, Ok, Refusal, Typing

if TYPE_CHECKING:
    from hubbub.irc.connection import IrcConnection

_KICK_ERRORS = {ErrorCode.NOT_ALLOWED: "482", ErrorCode.NOT_A_MEMBER: "441"}


async def kick(c: IrcConnection, line: Line) -> None:
    room_id = await on_channel(c, "KICK", line, 2)
    if room_id is None:
        return
    reason = line.params[2] if len(line.params) > 2 else ""
    for nick in line.params[1].split(","):
        try:
            await c.ask(Kick(id=c.next_id(), room=room_id, user=nick, reason=reason), Ok)
        except Refusal as refusal:
            code = _KICK_ERRORS.get(refusal.code)
            if code == "441":
                c.numeric(code, nick, c.channels[room_id], refusal.message)
            elif code is not None:
                c.numeric(code, c.channels[room_id], refusal.message)
            else:
                c.notice(f"KICK {nick}: {refusal.message}")


async def tagmsg(c: IrcConnection, line: Line) -> None:
    """``@+typing=active TAGMSG #chan``: the others in the room see you typing."""
    if not line.params or line.tags.get("+typing") != "active":
        return
    room_id = mine(c, line.params[0])
    if room_id is None and c.chat is not None and c.listener.same(c.chat[1], line.params[0]):
        room_id = c.chat[0]
    if room_id is not None:
        await c.ask(Typing(id=c.next_id(), conversation=room_id), Ok)
