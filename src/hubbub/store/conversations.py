"""Conversations: what their ids mean, and each one as a gapless sequence of messages."""

from __future__ import annotations

import re

from sqlalchemy import Connection, select

from hubbub.store.schema import conversations, insert_or_ignore, messages

_DM = re.compile(r"dm:(0|[1-9][0-9]*):(0|[1-9][0-9]*)")


def kind_of(conversation: str) -> str:
    """``"lobby"``, ``"dm"``, ``"chat"``…: the part of the id before its first colon."""
    return conversation.partition(":")[0]


def dm_conversation(a: int, b: int) -> str:
    """The id of the direct-message conversation between two different accounts."""
    low, high = sorted((a, b))
    return f"dm:{low}:{high}"


def dm_members(conversation: str) -> tuple[int, int] | None:
    """The two account ids of a well-formed ``"dm:<low id>:<high id>"``, else None."""
    match = _DM.fullmatch(conversation)
    if match is None:
        return None
    low, high = int(match[1]), int(match[2])
    return (low, high) if low < high else None


def add_conversation(connection: Connection, conversation: str, now: float) -> None:
    """Record the conversation unless it is already recorded."""
    insert_or_ignore(
        connection, conversations, id=conversation, kind=kind_of(conversation), created_at=now
    )


class Sequencer:
    """Hands out each conversation's next ``seq`` and a ``ts`` that never goes back.

    Used only inside the writer's transactions. What it remembers is only true once
    they commit, so :meth:`forget` must be called whenever one fails.
    """

    def __init__(self) -> None:
        self._tails: dict[str, tuple[int, float]] = {}

    def next(self, connection: Connection, conversation: str, now: float) -> tuple[int, float]:
        """The ``(seq, ts)`` of a new message in the conversation, recording it if it is new."""
        last = self._tails.get(conversation)
        if last is None:
            last = _last(connection, conversation, now)
        self._tails[conversation] = seq_and_ts = last[0] + 1, max(now, last[1])
        return seq_and_ts

    def forget(self) -> None:
        """Drop everything remembered; the database is asked again next time."""
        self._tails.clear()


def _last(connection: Connection, conversation: str, now: float) -> tuple[int, float]:
    add_conversation(connection, conversation, now)
    last = (
        connection.execute(
            select(messages.c.seq, messages.c.ts)
            .where(messages.c.conversation == conversation)
            .order_by(messages.c.seq.desc())
            .limit(1)
        )
    ).first()
    return (0, now) if last is None else (last.seq, last.ts)
