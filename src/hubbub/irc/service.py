"""The service nick ``hubbub``: what IRC has no command for (docs/irc.md, "The service nick")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubbub.protocol import (
    AnswerChat,
    Calc,
    CalcResult,
    ChatAnswered,
    EndChat,
    Ok,
    Refusal,
    RequestChat,
)

if TYPE_CHECKING:
    from hubbub.irc.connection import IrcConnection

HELP = (
    "hubbub service: what IRC has no command for",
    "  calc EXPRESSION    work something out, e.g. calc 2*(3+4); only you see the answer",
    "  chat NAME          ask NAME for a 1:1 chat",
    "  accept NAME        accept NAME's chat request; decline NAME turns it down",
    "  end                end your 1:1 chat",
    "  help               this list",
)


async def service(c: IrcConnection, text: str) -> None:
    verb, _, rest = text.strip().partition(" ")
    verb, rest = verb.lower(), rest.strip()
    tell = c.service_notice
    try:
        if verb == "calc" and rest:
            result = await c.ask(Calc(id=c.next_id(), expression=rest), CalcResult)
            c.send(tell(f"{result.expression} = {result.result}"))
        elif verb == "chat" and rest:
            await c.ask(RequestChat(id=c.next_id(), to=rest), Ok)
            c.send(tell(f"Asked {rest} for a 1:1 chat; you will hear their answer here"))
        elif verb in ("accept", "decline") and rest:
            request = AnswerChat(id=c.next_id(), requester=rest, accept=verb == "accept")
            await c.ask(request, ChatAnswered)
            if verb == "decline":
                c.send(tell(f"Declined {rest}'s chat request"))
        elif verb == "end":
            await c.ask(EndChat(id=c.next_id()), Ok)
        else:
            c.send(b"".join(tell(line) for line in HELP))
    except Refusal as refusal:
        c.send(tell(f"{verb}: {refusal.message}"))
