"""Each conversation as a gapless sequence: who hands out the next ``seq``, per backend.

On PostgreSQL, where several processes may share the database, a conversation's row
keeps ``last_seq``, the seq of its last entry, and a new entry takes the next one with
``UPDATE … SET last_seq = last_seq + 1 RETURNING last_seq`` in the transaction that
stores it: that locks the row until the commit, so two processes appending to one
conversation take turns and never hand out the same seq; a failed transaction takes
its count back with it. Two processes whose transactions locked the same conversations in
opposite orders would deadlock (PostgreSQL aborts one of them), so a transaction first
records and locks every conversation it will number, in id order. The same statement
reads which of them are archived rooms: another process may have archived one a moment
ago, before this process's hub heard of it, and the transaction adds nothing to it.

On SQLite only one process ever writes (the embedded default), and the writer keeps
each conversation's last seq in memory, as it always has: the counter would cost a
statement per message. There ``last_seq`` is not kept up to date (migration 0006 sets
it once); whatever copies a SQLite database elsewhere sets it from the messages, as
that migration does. Nor is a room's archiving read: the one process's hub, which
archives rooms, refuses to write to an archived one before it appends.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple, Protocol

from sqlalchemy import ARRAY, Connection, String, any_, bindparam, select, update

from hubbub.store.conversations import add_conversations
from hubbub.store.prepared import Prepared
from hubbub.store.schema import conversations, messages, rooms


class Numbered(NamedTuple):
    seq: int
    ts: float
    first: bool
    """The conversation's first entry: it had none before."""


class Numbering(Protocol):
    """Numbers the entries of one transaction."""

    def next(self, conversation: str) -> Numbered:
        """The seq of a new entry in the conversation (recorded now if it is new), and a
        ``ts`` no earlier than its last entry's."""
        ...

    def archived(self, conversation: str) -> bool:
        """Whether the conversation is a room archived before this transaction: it takes
        no entry (always False where the hub alone decides it, on SQLite)."""
        ...


class Sequencer(Protocol):
    """Hands out seqs inside the writer's transactions."""

    def begin(self, connection: Connection, now: float, conversations: Iterable[str]) -> Numbering:
        """The numbering of entries written in this transaction, stamped ``now`` or later,
        to ``conversations`` (those it will number)."""
        ...

    def forget(self) -> None:
        """A transaction failed: drop anything remembered of it."""
        ...


def sequencer_for(dialect: str) -> Sequencer:
    """The sequencer of this dialect's database."""
    return CachedSequencer() if dialect == "sqlite" else CounterSequencer()


_TAIL = Prepared(
    lambda _: (
        select(messages.c.seq, messages.c.ts)
        .where(messages.c.conversation == bindparam("conversation"))
        .order_by(messages.c.seq.desc())
        .limit(1)
    )
)
_NEXT = Prepared(
    lambda _: (
        update(conversations)
        .where(conversations.c.id == bindparam("counted"))
        .values(last_seq=conversations.c.last_seq + 1)
        .returning(
            conversations.c.last_seq,
            # The ts of the entry before (RETURNING sees the new last_seq); None if none.
            select(messages.c.ts)
            .where(
                messages.c.conversation == conversations.c.id,
                messages.c.seq == conversations.c.last_seq - 1,
            )
            .scalar_subquery(),
        )
    )
)


_LOCK = Prepared(  # on PostgreSQL only: the counters' sequencer
    lambda _: (
        select(conversations.c.id, rooms.c.archived)
        .select_from(conversations.outerjoin(rooms, rooms.c.id == conversations.c.id))
        .where(conversations.c.id == any_(bindparam("locked", type_=ARRAY(String))))
        .order_by(conversations.c.id)
        .with_for_update(of=conversations)
    )
)
"""Lock the conversations to number, and say which are archived rooms (NULL: not a room)."""


class CachedSequencer:
    """One process's: each conversation's last ``(seq, ts)``, looked up once, then kept.

    What it remembers is only true once the transactions commit: the writer calls
    :meth:`forget` whenever one fails.
    """

    def __init__(self) -> None:
        self._tails: dict[str, tuple[int, float]] = {}

    def begin(self, connection: Connection, now: float, conversations: Iterable[str]) -> Numbering:
        return _CachedNumbering(self._tails, connection, now)

    def forget(self) -> None:
        self._tails.clear()


class _CachedNumbering:
    def __init__(
        self, tails: dict[str, tuple[int, float]], connection: Connection, now: float
    ) -> None:
        self._tails = tails
        self._connection = connection
        self._now = now

    def next(self, conversation: str) -> Numbered:
        tail = self._tails.get(conversation)
        if tail is None:
            found = _TAIL.first(self._connection, {"conversation": conversation})
            if found is None:
                add_conversations(self._connection, [conversation], self._now)
            tail = (0, self._now) if found is None else (found[0], found[1])
        seq, ts = tail[0] + 1, max(self._now, tail[1])
        self._tails[conversation] = (seq, ts)
        return Numbered(seq, ts, seq == 1)

    def archived(self, conversation: str) -> bool:
        return False


class CounterSequencer:
    """Several processes': the counter in each conversation's row, taken in the transaction."""

    def begin(self, connection: Connection, now: float, conversations: Iterable[str]) -> Numbering:
        ordered = sorted(set(conversations))
        add_conversations(connection, ordered, now)
        locked = _LOCK.all(connection, {"locked": ordered})
        return _Counters(connection, now, {room for room, archived in locked if archived})

    def forget(self) -> None:
        """Nothing is remembered beyond a transaction."""


class _Counters:
    def __init__(self, connection: Connection, now: float, archived: set[str]) -> None:
        self._connection = connection
        self._now = now
        self._archived = archived
        self._last_ts: dict[str, float] = {}
        """The ``ts`` handed out in this transaction (its entries are not written yet)."""

    def next(self, conversation: str) -> Numbered:
        counted = {"counted": conversation}
        row = _NEXT.first(self._connection, counted)
        if row is None:
            add_conversations(self._connection, [conversation], self._now)
            row = _NEXT.first(self._connection, counted)
            assert row is not None, "the conversation was just recorded"
        seq, stored_ts = row
        # An entry before it in this transaction is not written yet: its ts is remembered.
        previous = self._last_ts.get(conversation, stored_ts)
        ts = self._now if previous is None else max(self._now, previous)
        self._last_ts[conversation] = ts
        return Numbered(seq, ts, seq == 1)

    def archived(self, conversation: str) -> bool:
        return conversation in self._archived
