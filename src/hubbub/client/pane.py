"""What every client's message pane shows, before any toolkit draws it. Pure; no I/O.

The desktop and the terminal client both show a conversation as its messages in ``seq``
order with notices placed among them, stamped with the local time, and a line saying who
is typing; this module decides those once for both.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Iterable, Sequence

from hubbub.client.shapes import Line, ShownMessage


def clock(ts: float) -> str:
    """A Unix time as the local hour and minute."""
    return time.strftime("%H:%M", time.localtime(ts))


def interleave(
    messages: Sequence[ShownMessage], notices: Iterable[Line]
) -> list[ShownMessage | Line]:
    """Messages by ``seq`` with each notice after the messages that came before it.

    A notice sits after the message it was given with (``after_seq``) and after every
    message stamped earlier than it, whichever is later: a notice made before its
    conversation was loaded still lands among the messages of its time.
    """
    stamps = [message.ts for message in messages]
    keyed: list[tuple[tuple[int, int, float], ShownMessage | Line]] = [
        ((message.seq, 0, message.ts), message) for message in messages
    ]
    for notice in notices:
        earlier = bisect.bisect_right(stamps, notice.at)
        by_time = messages[earlier - 1].seq if earlier else 0
        keyed.append(((max(notice.after_seq, by_time), 1, notice.at), notice))
    keyed.sort(key=lambda item: item[0])
    return [item for _, item in keyed]


def typing_text(names: Sequence[str]) -> str:
    """``bob is typing…``, ``bob and carol are typing…``; empty when nobody is."""
    if not names:
        return ""
    if len(names) == 1:
        return f"{names[0]} is typing…"
    if len(names) == 2:
        return f"{names[0]} and {names[1]} are typing…"
    return f"{names[0]}, {names[1]} and {len(names) - 2} more are typing…"
