"""A guest's nick change: the guest of the new name takes the old one's place.

hubbub names are accounts, so a signed-in account keeps its name (only its case may
change on IRC). A guest is the account of its nick for as long as it holds it
(hub/guests.py), so a new nick is another guest: the connection leaves its rooms as the
old guest (their members hear it quit, ``Changing nick``), signs in as the new one and
joins them again (they hear it join). The client itself sees one ``NICK``; a room it
could not join again (full, say) is a ``PART`` with the reason. If the new name is
refused (an account's), the connection comes back as the old guest (the rooms hear it
join again) and is told 433; a nick in use is 433 before anything changes.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from hubbub.hub.guests import farewell, sign_in_guest
from hubbub.irc.channels import join, mine
from hubbub.irc.lines import Line
from hubbub.protocol import ErrorCode, Ok, Refusal, SignedIn, SignOut

if TYPE_CHECKING:
    from hubbub.irc.connection import IrcConnection


async def change_guest_nick(c: IrcConnection, wanted: str) -> None:
    old_mask = c.mask
    channels = list(c.channels.values())
    c.outlet.capture()
    try:
        refused = await _become(c, wanted, "Changing nick")
        if refused is not None:
            await _become(c, c.nick, "")
        c.channels.clear()
        for channel in channels:
            await join(c, Line("JOIN", [channel]))
    finally:
        c.outlet.captured()
    if refused is not None:
        c.numeric("433", wanted, refused.message)
    else:
        c.line("NICK", c.nick, source=old_mask)
    for channel in channels:
        if mine(c, channel) is None:
            c.line("PART", channel, "could not join it again", source=c.mask)


async def _become(c: IrcConnection, name: str, words: str) -> Refusal | None:
    """Leave as the current guest and sign in as the guest ``name``; its refusal, if any
    (then the connection is signed out)."""
    hub, listener = c.server.hub, c.listener
    if hub.user_of(c.conn) is not None:
        await c.server.run(c.conn, farewell(hub, c.conn, words))
        await c.ask(SignOut(id=c.next_id()), Ok)
    listener.forget(c)
    request_id = c.next_id()
    decision = sign_in_guest(hub, c.conn, request_id, name, time.monotonic())
    try:
        await c.run(request_id, decision, SignedIn)
    except Refusal as refusal:
        if refusal.code not in (ErrorCode.NAME_IN_USE, ErrorCode.INVALID_NAME):
            raise
        return refusal
    c.nick = listener.nick(hub.signed_in(c.conn).name)
    listener.remember(c)
    return None
