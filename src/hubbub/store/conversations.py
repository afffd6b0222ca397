"""Conversations: what their ids mean, who is in them, and each one as a gapless sequence."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import Connection, bindparam, select

from hubbub.store.prepared import Prepared
from hubbub.store.schema import conversations, ignoring_duplicates, members, messages

LOBBY = "lobby"
"""The room everyone is in, created by the migrations."""

_DM = re.compile(r"dm:(0|[1-9][0-9]*):(0|[1-9][0-9]*)")


def kind_of(conversation: str) -> str:
    """``"room"`` (the lobby and ``"room:…"``), ``"dm"``, ``"chat"``: what the id says it is."""
    if conversation == LOBBY:
        return "room"
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


_ADD_CONVERSATION = Prepared(lambda dialect: ignoring_duplicates(conversations, dialect))
_ADD_MEMBER = Prepared(lambda dialect: ignoring_duplicates(members, dialect))
_TAIL = Prepared(
    lambda _: (
        select(messages.c.seq, messages.c.ts)
        .where(messages.c.conversation == bindparam("conversation"))
        .order_by(messages.c.seq.desc())
        .limit(1)
    )
)


def add_conversations(connection: Connection, ids: Iterable[str], now: float) -> None:
    """Record the conversations that are not recorded yet."""
    _ADD_CONVERSATION.run_many(
        connection,
        [
            {"id": conversation, "kind": kind_of(conversation), "created_at": now}
            for conversation in ids
        ],
    )


class JoinOrder:
    """Gives each new member a ``joined_at`` later than the last, even within one batch.

    Used only in the writer's thread. Members are listed in the order of these stamps.
    """

    _STEP = 1e-6

    def __init__(self) -> None:
        self._last = 0.0

    def add_members(
        self, connection: Connection, conversation: str, account_ids: Iterable[int], now: float
    ) -> None:
        """Record the accounts as members, in this order; those already members stay as they are."""
        rows = []
        for account_id in dict.fromkeys(account_ids):
            self._last = max(now, self._last + self._STEP)
            rows.append(
                {"conversation": conversation, "account_id": account_id, "joined_at": self._last}
            )
        _ADD_MEMBER.run_many(connection, rows)


class Sequencer:
    """Hands out each conversation's next ``seq`` and a ``ts`` that never goes back.

    Used only inside the writer's transactions. What it remembers is only true once
    they commit, so :meth:`forget` must be called whenever one fails.
    """

    def __init__(self) -> None:
        self._tails: dict[str, tuple[int, float]] = {}

    def knows(self, conversation: str) -> bool:
        return conversation in self._tails

    def learn(self, connection: Connection, ids: Iterable[str], now: float) -> list[str]:
        """Look up where the conversations not remembered yet end; record and return new ones.

        A conversation is new when it has no message yet.
        """
        unknown = {conversation for conversation in ids if conversation not in self._tails}
        new: list[str] = []
        for conversation in unknown:
            tail = _TAIL.first(connection, {"conversation": conversation})
            if tail is None:
                new.append(conversation)
            self._tails[conversation] = (0, now) if tail is None else (tail[0], tail[1])
        add_conversations(connection, new, now)
        return new

    def next(self, conversation: str, now: float) -> tuple[int, float]:
        """The ``(seq, ts)`` of a new message in a conversation :meth:`learn` has seen."""
        last_seq, last_ts = self._tails[conversation]
        self._tails[conversation] = seq_and_ts = last_seq + 1, max(now, last_ts)
        return seq_and_ts

    def forget(self) -> None:
        """Drop everything remembered; the database is asked again next time."""
        self._tails.clear()
