"""Messages: appended in groups with gapless seqs, read back in pages, held for the offline."""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, bindparam, delete, func, select

from hubbub.store.appends import HOLD, MESSAGE_COLUMNS, GroupWrite, message_from
from hubbub.store.conversations import JoinOrder
from hubbub.store.database import Database
from hubbub.store.prepared import Prepared, refusable
from hubbub.store.records import Draft, StoredMessage, StoreError
from hubbub.store.schema import held, messages
from hubbub.store.sequencing import sequencer_for

_HELD_FOR = Prepared(
    lambda _: (
        select(*MESSAGE_COLUMNS)
        .join_from(held, messages)
        .where(held.c.account_id == bindparam("holder"))
        .order_by(held.c.id)
    )
)
_RELEASE = Prepared(lambda _: delete(held).where(held.c.account_id == bindparam("holder")))


def accounts_with_held_messages(engine: Engine) -> set[int]:
    """Every account something is held for. Blocking."""
    with engine.connect() as connection:
        return set(connection.scalars(select(held.c.account_id).distinct()))


@dataclass(eq=False, slots=True)
class _AppendGroup:
    drafts: list[Draft] = field(default_factory=list)
    written: asyncio.Future[list[StoredMessage | StoreError]] = field(init=False)


class Messages:
    """Every conversation's entries: messages and the edits and deletes that change them."""

    def __init__(self, database: Database, join_order: JoinOrder, holding: set[int]) -> None:
        self._database = database
        self._join_order = join_order
        self._holding = holding
        """Accounts that may have held messages: a sign-in of any other needs no write."""
        self._one_process = database.dialect == "sqlite"
        """Only one process writes the database, so ``_holding`` knows every hold. On
        PostgreSQL another process may have held something: every take reads the table."""
        self._sequencer = sequencer_for(database.dialect)
        self._appending: _AppendGroup | None = None
        """The drafts waiting for the writer to reach their shared INSERT."""
        database.writer.on_rollback.append(self._sequencer.forget)
        database.writer.on_batch.append(self._close_append_group)

    async def append(self, draft: Draft) -> StoredMessage:
        """Store the draft with the conversation's next ``seq``; returns once it is committed.

        Drafts appended while the writer is busy share one INSERT in its next
        transaction: a burst of messages costs one statement, not one each. They keep
        the order of their calls, and take the place in the writer's queue of the first.

        A draft whose (sender, ``client_id``) was stored before stores nothing: the answer
        is the first one's record, marked ``duplicate``. An edit or a delete changes its
        target in the same transaction (an edit also replaces the target's mentions), and
        raises :class:`StoreError` if the target is not the sender's standing message.

        On PostgreSQL a draft to an archived room raises :class:`RoomArchived` (another
        process may have archived it a moment ago); SQLite's one process has its hub
        refuse those before it appends, so nothing is read for it there.
        """
        self._holding.update(draft.hold_for)
        group = self._appending
        if group is None:
            group = self._appending = _AppendGroup()
            group.written = self._database.writer.enqueue(
                functools.partial(self._store_group, group), group.drafts.__len__
            )
        index = len(group.drafts)
        group.drafts.append(draft)
        answer = (await asyncio.shield(group.written))[index]
        if isinstance(answer, StoreError):
            raise answer
        return answer

    def _close_append_group(self) -> None:
        """A batch is starting: its group of drafts takes no more (they go to a new one)."""
        self._appending = None

    def _store_group(
        self, group: _AppendGroup, connection: Connection, now: float
    ) -> list[StoredMessage | StoreError]:
        """In the writer's thread: number the group's drafts and write them all at once."""
        conversations = [draft.conversation for draft in group.drafts]
        write = GroupWrite(connection, now, self._sequencer, self._join_order, conversations)
        answers = [write.add(draft) for draft in group.drafts]
        write.flush()
        return answers

    async def history(
        self,
        conversation: str,
        *,
        before: int | None = None,
        after: int | None = None,
        limit: int = 50,
    ) -> list[StoredMessage]:
        """Up to ``limit`` entries, oldest first, with ``after < seq < before``.

        With ``after`` the page starts just after it; otherwise it ends just before
        ``before``, or at the latest entry. Change records are entries like messages.
        """
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        query = select(*MESSAGE_COLUMNS).where(messages.c.conversation == conversation)
        if before is not None:
            query = query.where(messages.c.seq < before)
        if after is not None:
            query = query.where(messages.c.seq > after)
        newest_first = after is None
        order = messages.c.seq.desc() if newest_first else messages.c.seq.asc()
        rows = await self._database.rows(query.order_by(order).limit(limit))
        page = [message_from(row) for row in rows]
        return page[::-1] if newest_first else page

    async def find_message(self, conversation: str, seq: int) -> StoredMessage | None:
        """The entry at ``seq`` in the conversation, as it is now."""
        rows = await self._database.rows(
            select(*MESSAGE_COLUMNS).where(
                messages.c.conversation == conversation, messages.c.seq == seq
            )
        )
        return message_from(rows[0]) if rows else None

    async def heads(self) -> dict[str, int]:
        """The last ``seq`` of every conversation that has entries."""
        rows = await self._database.rows(
            select(messages.c.conversation, func.max(messages.c.seq).label("last_seq")).group_by(
                messages.c.conversation
            )
        )
        return {row.conversation: row.last_seq for row in rows}

    async def hold(self, account_id: int, conversation: str, seq: int) -> None:
        """Keep a stored message for an offline recipient until :meth:`take_held`."""
        row = {"for_account": account_id, "held_conversation": conversation, "held_seq": seq}

        def keep(connection: Connection, _now: float) -> None:
            with refusable(connection):
                HOLD.run_many(connection, [row])

        self._holding.add(account_id)
        await self._database.write(keep)

    async def take_held(self, account_id: int) -> list[StoredMessage]:
        """Every entry held for the account, in the order held, and forget them.

        Sees every :meth:`hold` (and every append holding for it) called before it. On
        SQLite an account with nothing held (most sign-ins) is answered at once, without a
        transaction; on PostgreSQL another process may have held for it, so the table is read.
        """
        if self._one_process and account_id not in self._holding:
            return []
        self._holding.discard(account_id)

        holder = {"holder": account_id}

        def take(connection: Connection, _now: float) -> list[StoredMessage]:
            taken = [message_from(row) for row in _HELD_FOR.all(connection, holder)]
            _RELEASE.run_many(connection, [holder])
            return taken

        try:
            return await self._database.write(take)
        except StoreError:
            self._holding.add(account_id)
            raise
