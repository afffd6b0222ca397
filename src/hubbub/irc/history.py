"""draft/chathistory over hubbub's history: a reconnecting client catches up.

``CHATHISTORY LATEST|BEFORE|AFTER <target> <msgid=…|*> <limit>``: the ``msgid`` of a
message is ``<conversation>/<seq>`` (see render.py), so a page is one ``history`` request.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from hubbub.irc.channels import mine
from hubbub.irc.lines import Line, format_line
from hubbub.irc.render import message_lines
from hubbub.protocol import (
    MAX_HISTORY_PAGE,
    ConversationList,
    Conversations,
    History,
    HistoryPage,
    Message,
    Refusal,
)

if TYPE_CHECKING:
    from hubbub.irc.connection import IrcConnection

_batches = itertools.count(1)


async def chathistory(c: IrcConnection, line: Line) -> None:
    if len(line.params) < 4:
        c.line("FAIL", "CHATHISTORY", "NEED_MORE_PARAMS", "CHATHISTORY needs 4 parameters")
        return
    sub, target, ref, count = line.params[:4]
    sub = sub.upper()
    if sub not in ("LATEST", "BEFORE", "AFTER") or not count.isdigit():
        c.line(
            "FAIL", "CHATHISTORY", "INVALID_PARAMS", sub, "LATEST, BEFORE or AFTER, and a number"
        )
        return
    conversation = await _conversation(c, target)
    if conversation is None:
        c.line("FAIL", "CHATHISTORY", "INVALID_TARGET", sub, target, "no such conversation")
        return
    seq = None
    if ref != "*":
        kind, _, value = ref.partition("=")
        where, _, number = value.rpartition("/")
        if kind != "msgid" or where != conversation or not number.isdigit():
            c.line("FAIL", "CHATHISTORY", "INVALID_MSGREFTYPE", sub, ref, "use msgid=… or *")
            return
        seq = int(number)
    limit = max(1, min(int(count), MAX_HISTORY_PAGE))
    request = History(
        id=c.next_id(),
        conversation=conversation,
        before=seq if sub == "BEFORE" else None,
        after=seq if sub == "AFTER" else None,
        limit=limit,
    )
    try:
        page = await c.ask(request, HistoryPage)
    except Refusal as refusal:
        c.line("FAIL", "CHATHISTORY", "MESSAGE_ERROR", sub, target, refusal.message)
        return
    shown = c.channels.get(conversation, target)
    send(c, shown, [m for m in page.messages if isinstance(m, Message) and not m.deleted])


def send(c: IrcConnection, target: str, messages: list[Message]) -> None:
    batch = f"h{next(_batches)}" if "batch" in c.caps else None
    out = []
    if batch is not None:
        out.append(format_line("BATCH", f"+{batch}", "chathistory", target, source=c.listener.name))
    for m in messages:
        if target.startswith("#"):
            to = target
        else:
            to = target if c.listener.same(m.sender, c.nick) else c.nick
        out.append(message_lines(c, m, to, c.listener.mask(m.sender), batch))
    if batch is not None:
        out.append(format_line("BATCH", f"-{batch}", source=c.listener.name))
    c.send(b"".join(out))


async def _conversation(c: IrcConnection, target: str) -> str | None:
    if target.startswith("#"):
        return mine(c, target)
    listed = await c.ask(Conversations(id=c.next_id()), ConversationList)
    for found in listed.conversations:
        if found.kind in ("dm", "chat") and c.listener.same(found.name, target):
            return found.id
    return None
