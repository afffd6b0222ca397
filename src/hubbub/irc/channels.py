"""Channels are rooms: JOIN, PART, TOPIC, NAMES, LIST and MODE."""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING

from hubbub.irc.lines import Line
from hubbub.irc.user_modes import user_mode
from hubbub.protocol import (
    LOBBY,
    CreateRoom,
    ErrorCode,
    JoinRoom,
    LeaveRoom,
    Ok,
    Refusal,
    RoomEntry,
    RoomList,
    RoomReply,
    Rooms,
    SetTopic,
)

if TYPE_CHECKING:
    from hubbub.irc.connection import IrcConnection

_JOIN_ERRORS = {
    ErrorCode.ROOM_FULL: "471",
    ErrorCode.ROOM_ARCHIVED: "474",
    ErrorCode.TOO_MANY_ROOMS: "405",
}


async def directory(c: IrcConnection) -> list[RoomEntry]:
    return (await c.ask(Rooms(id=c.next_id()), RoomList)).rooms


async def find(c: IrcConnection, channel: str) -> RoomEntry | None:
    """The room a channel name stands for, among those this user may see."""
    wanted = channel.casefold()
    for room in await directory(c):
        if c.listener.channel(room.name).casefold() == wanted:
            return room
    return None


def mine(c: IrcConnection, channel: str) -> str | None:
    """The id of the room behind ``channel`` if this connection is in it."""
    wanted = channel.casefold()
    return next((rid for rid, name in c.channels.items() if name.casefold() == wanted), None)


async def not_mine(c: IrcConnection, channel: str, numeric: str, text: str) -> None:
    """Say why ``channel`` is not one of ours: it does not exist (403), or ``numeric``."""
    if await find(c, channel) is None:
        c.numeric("403", channel, "No such channel")
    else:
        c.numeric(numeric, channel, text)


async def join(c: IrcConnection, line: Line) -> None:
    if not line.params:
        c.numeric("461", "JOIN", "Not enough parameters")
        return
    if line.params[0] == "0":
        for channel in list(c.channels.values()):
            await part(c, Line("PART", [channel]))
        return
    for channel in line.params[0].split(","):
        if not channel.startswith("#") or len(channel) < 2:
            c.numeric("403", channel, "No such channel")
            continue
        if mine(c, channel) is not None:
            continue
        try:
            await c.listener.room_made(channel)
            room = await find(c, channel)
            if room is None:
                async with c.listener.creating(channel):
                    request = CreateRoom(id=c.next_id(), name=channel[1:])
                    joined = await c.ask(request, RoomReply)
            else:
                joined = await c.ask(JoinRoom(id=c.next_id(), room=room.id), RoomReply)
            await c.names_sent(joined.room.id)
        except Refusal as refusal:
            c.numeric(_JOIN_ERRORS.get(refusal.code, "403"), channel, refusal.message)


async def part(c: IrcConnection, line: Line) -> None:
    if not line.params:
        c.numeric("461", "PART", "Not enough parameters")
        return
    for channel in line.params[0].split(","):
        room_id = mine(c, channel)
        if room_id is None:
            await not_mine(c, channel, "442", "You're not on that channel")
            continue
        words = line.params[1] if len(line.params) > 1 and line.params[1] else None
        if words is not None:
            c.parting[room_id] = words
        await c.ask(LeaveRoom(id=c.next_id(), room=room_id, message=words), Ok)


async def on_channel(c: IrcConnection, command: str, line: Line, needed: int) -> str | None:
    """The room behind the channel ``command`` names first, if this connection is in it;
    otherwise (fewer than ``needed`` parameters, no such channel, not on it) the client
    is told why (461, 403, 442) and it is None."""
    if len(line.params) < needed:
        c.numeric("461", command, "Not enough parameters")
        return None
    room_id = mine(c, line.params[0])
    if room_id is None:
        await not_mine(c, line.params[0], "442", "You're not on that channel")
    return room_id


async def topic(c: IrcConnection, line: Line) -> None:
    room_id = await on_channel(c, "TOPIC", line, 1)
    if room_id is None:
        return
    channel = c.channels[room_id]
    if len(line.params) == 1:
        current = c.topics.get(room_id, "")
        if current:
            c.numeric("332", channel, current)
        else:
            c.numeric("331", channel, "No topic is set")
        return
    try:
        await c.ask(SetTopic(id=c.next_id(), room=room_id, topic=line.params[1]), Ok)
    except Refusal as refusal:
        code = "482" if refusal.code is ErrorCode.NOT_ALLOWED else "442"
        c.numeric(code, channel, refusal.message)


async def names(c: IrcConnection, line: Line) -> None:
    if not line.params:
        c.numeric("366", "*", "End of /NAMES list")
        return
    for channel in line.params[0].split(","):
        room_id = mine(c, channel)
        if room_id is not None:
            await c.send_names(room_id, end=False)
    c.numeric("366", line.params[0], "End of /NAMES list")


def listed(conditions: list[str], channel: str, members: int) -> bool:
    """Whether a channel passes every LIST condition (ELIST M, N and U): ``mask``,
    ``!mask``, ``>n`` and ``<n`` members."""
    name = channel.casefold()
    for condition in conditions:
        if condition[:1] in "<>" and condition[1:].isdigit():
            limit = int(condition[1:])
            if not (members > limit if condition[0] == ">" else members < limit):
                return False
        elif condition.startswith("!"):
            if fnmatch.fnmatchcase(name, condition[1:].casefold()):
                return False
        elif not fnmatch.fnmatchcase(name, condition.casefold()):
            return False
    return True


async def list_channels(c: IrcConnection, line: Line) -> None:
    """Rooms with someone in them (IRC channels exist while occupied), filtered as asked."""
    conditions = line.params[0].split(",") if line.params else []
    c.numeric("321", "Channel", "Users  Name")
    for room in await directory(c):
        channel = c.listener.channel(room.name)
        if room.members and listed(conditions, channel, room.members):
            c.numeric("322", channel, str(room.members), room.topic)
    c.numeric("323", "End of /LIST")


async def mode(c: IrcConnection, line: Line) -> None:
    if not line.params:
        c.numeric("461", "MODE", "Not enough parameters")
        return
    target = line.params[0]
    if not target.startswith("#"):
        user_mode(c, line)
        return
    room_id = mine(c, target)
    if room_id is None:
        await not_mine(c, target, "442", "You're not on that channel")
        return
    if len(line.params) == 1:
        # +t: only moderators set the topic, which is hubbub's rule for the Lobby alone.
        c.numeric("324", c.channels[room_id], "+nt" if room_id == LOBBY else "+n")
    elif line.params[1] not in ("b", "+b"):
        c.numeric(
            "472", line.params[1].lstrip("+-")[:1] or "*", "hubbub rooms have no modes to change"
        )
    else:
        c.numeric("368", c.channels[room_id], "End of channel ban list")
