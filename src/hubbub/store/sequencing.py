"""Each conversation as a gapless sequence, numbered by a counter in the database.

A conversation's row keeps ``last_seq``, the seq of its last entry. A new entry takes the
next one with ``UPDATE … SET last_seq = last_seq + 1 RETURNING last_seq`` in the
transaction that stores it: on PostgreSQL that locks the row until the commit, so two
processes appending to one conversation take turns and never hand out the same seq; if
the transaction fails, the count goes back with it.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Connection, bindparam, select, update

from hubbub.store.conversations import add_conversations
from hubbub.store.prepared import Prepared
from hubbub.store.schema import conversations, messages

_NEXT = Prepared(
    lambda _: (
        update(conversations)
        .where(conversations.c.id == bindparam("counted"))
        .values(last_seq=conversations.c.last_seq + 1)
        .returning(conversations.c.last_seq)
    )
)
_TS = Prepared(
    lambda _: select(messages.c.ts).where(
        messages.c.conversation == bindparam("at_conversation"),
        messages.c.seq == bindparam("at_seq"),
    )
)


class Numbered(NamedTuple):
    seq: int
    ts: float
    first: bool
    """The conversation's first entry: it had none before."""


class Counters:
    """Numbers the entries written in one transaction, each with a ``ts`` that never goes back.

    Made for one transaction and dropped with it: it remembers the ``ts`` it handed out
    (of entries not yet written) only until then.
    """

    def __init__(self, connection: Connection, now: float) -> None:
        self._connection = connection
        self._now = now
        self._last_ts: dict[str, float] = {}

    def next(self, conversation: str) -> Numbered:
        """The seq and ts of a new entry in the conversation, recorded now if it is new."""
        counted = {"counted": conversation}
        row = _NEXT.first(self._connection, counted)
        if row is None:
            add_conversations(self._connection, [conversation], self._now)
            row = _NEXT.first(self._connection, counted)
            assert row is not None, "the conversation was just recorded"
        seq: int = row[0]
        ts = max(self._now, self._previous_ts(conversation, seq))
        self._last_ts[conversation] = ts
        return Numbered(seq, ts, seq == 1)

    def _previous_ts(self, conversation: str, seq: int) -> float:
        known = self._last_ts.get(conversation)
        if known is not None or seq == 1:
            return known or self._now
        found = _TS.first(self._connection, {"at_conversation": conversation, "at_seq": seq - 1})
        return self._now if found is None else float(found[0])
