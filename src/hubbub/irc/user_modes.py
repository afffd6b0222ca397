"""A connection's own modes: ``+i`` (invisible to WHO masks) and ``+o`` (OPER).

``OPER name password`` asks the hub whether those are a server admin's name and password
(hub/operators.py); if so the connection is an IRC operator (``*`` in WHO, 313 in WHOIS,
``+o``): it proved it holds an admin's password. Its rights stay those of the account it
is signed in as. ``+i`` hides the connection from WHO masks (not from an exact nick) of
users who share no channel with it; it is IRC's own and changes nothing on hubbub.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from hubbub.hub.operators import check_operator
from hubbub.irc.lines import Line
from hubbub.protocol import ErrorCode, Ok, Refusal

if TYPE_CHECKING:
    from hubbub.irc.connection import IrcConnection


def modes(c: IrcConnection) -> str:
    return "+" + ("i" if c.invisible else "") + ("o" if c.operator else "")


async def oper(c: IrcConnection, line: Line) -> None:
    if len(line.params) < 2:
        c.numeric("461", "OPER", "Not enough parameters")
        return
    request_id = c.next_id()
    name, password = line.params[0], line.params[1]
    try:
        decision = check_operator(
            c.server.hub, c.conn, request_id, name, password, time.monotonic()
        )
        await c.run(request_id, decision, Ok)
    except Refusal as refusal:
        if refusal.code is ErrorCode.NOT_ALLOWED:
            c.numeric("464", f"Password incorrect: {refusal.message}")
        else:
            c.notice(f"OPER: {refusal.message}")
        return
    if not c.operator:
        c.operator = True
        c.line("MODE", c.nick, "+o", source=c.mask)
    c.numeric("381", "You are now an IRC operator (you hold a hubbub admin's password)")


def user_mode(c: IrcConnection, line: Line) -> None:
    """``MODE nick``: 221 with the modes; ``MODE nick +i``/``-i``/``-o`` changes them."""
    if not c.listener.same(line.params[0], c.nick):
        c.numeric("502", "Can't change mode for other users")
        return
    if len(line.params) == 1:
        c.numeric("221", modes(c))
        return
    adding, changed = True, []
    for char in line.params[1]:
        if char in "+-":
            adding = char == "+"
        elif char == "i" and c.invisible != adding:
            c.invisible = adding
            changed.append(("+" if adding else "-", char))
        elif char == "o" and not adding and c.operator:
            c.operator = False
            changed.append(("-", char))
        elif char not in "io":
            c.numeric("501", f"Unknown MODE flag {char}")
    if changed:
        c.line("MODE", c.nick, _signed(changed), source=c.mask)


def _signed(changed: list[tuple[str, str]]) -> str:
    """``[("+", "i"), ("-", "o")]`` as ``+i-o``."""
    text, sign = "", ""
    for new_sign, char in changed:
        text += (new_sign if new_sign != sign else "") + char
        sign = new_sign
    return text
