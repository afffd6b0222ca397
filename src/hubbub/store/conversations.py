"""Conversations: what their ids mean and who is in them."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import Connection

from hubbub.store.prepared import Prepared
from hubbub.store.schema import conversations, ignoring_duplicates, members

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


def add_conversations(connection: Connection, ids: Iterable[str], now: float) -> None:
    """Record the conversations that are not recorded yet."""
    _ADD_CONVERSATION.run_many(
        connection,
        [
            {"id": conversation, "kind": kind_of(conversation), "created_at": now, "last_seq": 0}
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
