"""The store: accounts, session tokens and message history, behind one small async interface."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import secrets
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic.util import CommandError
from sqlalchemy import URL, Connection, Engine, Executable, Row, delete, exists, insert, select
from sqlalchemy.exc import SQLAlchemyError

from hubbub.protocol import LOBBY
from hubbub.store.conversations import Sequencer, add_conversations, dm_members, kind_of
from hubbub.store.database import open_engine, upgrade_schema
from hubbub.store.prepared import Prepared
from hubbub.store.records import Account, Draft, NameTaken, StoredMessage, StoreError
from hubbub.store.schema import accounts, held, insert_or_ignore, members, messages, tokens
from hubbub.store.writer import Writer

_INSERT_MESSAGE = Prepared(lambda _: insert(messages))
_account_columns = (
    accounts.c.id,
    accounts.c.name,
    accounts.c.name_key,
    accounts.c.password_hash,
    accounts.c.role,
)
_message_columns = (
    messages.c.conversation,
    messages.c.seq,
    messages.c.ts,
    messages.c.sender,
    messages.c.text,
    messages.c.recipient.label("to"),
)


async def open_store(data_dir: Path) -> Store:
    """Open (creating if need be) ``data_dir/hubbub.db`` with its schema up to date."""
    path = data_dir / "hubbub.db"
    try:
        await asyncio.to_thread(_create_or_upgrade, path)
        engine = open_engine(URL.create("sqlite", database=str(path)))
        holding = await asyncio.to_thread(_accounts_with_held_messages, engine)
    except (OSError, SQLAlchemyError, CommandError) as exc:
        raise StoreError(f"cannot open the database {path}: {exc}") from exc
    return Store(engine, holding)


def _accounts_with_held_messages(engine: Engine) -> set[int]:
    with engine.connect() as connection:
        return set(connection.scalars(select(held.c.account_id).distinct()))


def _create_or_upgrade(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    upgrade_schema(URL.create("sqlite", database=str(path)))


@dataclass(eq=False, slots=True)
class _AppendGroup:
    drafts: list[Draft] = field(default_factory=list)
    written: asyncio.Future[list[StoredMessage]] = field(init=False)


class Store:
    """Everything hubbub keeps. Every method raises :class:`StoreError` if the database fails.

    Writes are acknowledged only once committed, and are committed in the order they were
    called. Reads see every write that has been acknowledged. The database is blocking
    code: writes run in the writer's thread, reads in a small pool of their own (not the
    loop's default executor, where password hashes queue).
    """

    def __init__(self, engine: Engine, holding: set[int], readers: int = 2) -> None:
        self._engine = engine
        self._holding = holding
        """Accounts that may have held messages: a sign-in of any other needs no write."""
        self._readers = ThreadPoolExecutor(readers, thread_name_prefix="hubbub-store-reader")
        self._sequencer = Sequencer()
        self._writer = Writer(
            engine, on_rollback=self._sequencer.forget, on_batch=self._close_append_group
        )
        self._appending: _AppendGroup | None = None
        """The messages waiting for the writer to reach their shared INSERT."""

    @property
    def commits(self) -> int:
        """How many transactions the store has committed so far."""
        return self._writer.commits

    async def close(self) -> None:
        """Commit every write already called for, then let go of the database."""
        await self._writer.close()
        self._readers.shutdown()
        self._engine.dispose()

    # ---------------------------------------------------------------- accounts

    async def find_account(self, name_key: str) -> Account | None:
        """The account with this name key, if there is one."""
        rows = await self._read(select(*_account_columns).where(accounts.c.name_key == name_key))
        return Account(**rows[0]._mapping) if rows else None

    async def create_account(self, name: str, name_key: str, password_hash: str) -> Account:
        """A new ``"user"`` account; raises :class:`NameTaken` if the key is someone's."""

        def create(connection: Connection, now: float) -> Account:
            taken = connection.scalar(
                select(accounts.c.id).where(accounts.c.name_key == name_key)
            )
            if taken is not None:
                raise NameTaken(f"the name {name!r} is taken")
            account_id = connection.scalar(
                insert(accounts)
                .values(
                    name=name,
                    name_key=name_key,
                    password_hash=password_hash,
                    role="user",
                    created_at=now,
                )
                .returning(accounts.c.id)
            )
            return Account(account_id, name, name_key, password_hash, "user")

        return await self._writer.submit(create)

    # ---------------------------------------------------------------- session tokens

    async def issue_token(self, account_id: int) -> str:
        """A new secret token that signs the account in; the store keeps only its hash."""
        token = secrets.token_urlsafe(32)

        def issue(connection: Connection, now: float) -> str:
            connection.execute(
                insert(tokens).values(
                    token_hash=_digest(token), account_id=account_id, created_at=now
                )
            )
            return token

        return await self._writer.submit(issue)

    async def account_for_token(self, token: str) -> Account | None:
        """The account the token signs in, unless the token is unknown or revoked."""
        rows = await self._read(
            select(*_account_columns)
            .join_from(tokens, accounts)
            .where(tokens.c.token_hash == _digest(token))
        )
        return Account(**rows[0]._mapping) if rows else None

    async def revoke_token(self, token: str) -> None:
        """The token no longer signs anyone in. Revoking an unknown token does nothing."""

        def revoke(connection: Connection, _now: float) -> None:
            connection.execute(delete(tokens).where(tokens.c.token_hash == _digest(token)))

        await self._writer.submit(revoke)

    # ---------------------------------------------------------------- messages

    async def append(self, draft: Draft) -> StoredMessage:
        """Store the message with the conversation's next ``seq``; returns once it is committed.

        Messages appended while the writer is busy share one INSERT in its next
        transaction: a burst of messages costs one statement, not one each. They keep
        the order of their calls, and take the place in the writer's queue of the first.
        """
        group = self._appending
        if group is None:
            group = self._appending = _AppendGroup()
            group.written = self._writer.enqueue(functools.partial(self._store_group, group))
        index = len(group.drafts)
        group.drafts.append(draft)
        return (await asyncio.shield(group.written))[index]

    def _close_append_group(self) -> None:
        """A batch is starting: its group of messages takes no more (they go to a new one)."""
        self._appending = None

    def _store_group(
        self, group: _AppendGroup, connection: Connection, now: float
    ) -> list[StoredMessage]:
        """In the writer's thread: number the group's messages and insert them all at once."""
        self._sequencer.learn(connection, (draft.conversation for draft in group.drafts), now)
        stored: list[StoredMessage] = []
        for draft in group.drafts:
            seq, ts = self._sequencer.next(draft.conversation, now)
            stored.append(
                StoredMessage(draft.conversation, seq, ts, draft.sender, draft.text, draft.to)
            )
        _INSERT_MESSAGE.run_many(
            connection,
            [
                {
                    "conversation": message.conversation,
                    "seq": message.seq,
                    "ts": message.ts,
                    "sender_id": draft.sender_id,
                    "sender": message.sender,
                    "text": message.text,
                    "recipient": message.to,
                }
                for draft, message in zip(group.drafts, stored, strict=True)
            ],
        )
        return stored

    async def history(
        self,
        conversation: str,
        *,
        before: int | None = None,
        after: int | None = None,
        limit: int = 50,
    ) -> list[StoredMessage]:
        """Up to ``limit`` messages, oldest first, with ``after < seq < before``.

        With ``after`` the page starts just after it; otherwise it ends just before
        ``before``, or at the latest message.
        """
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        query = select(*_message_columns).where(messages.c.conversation == conversation)
        if before is not None:
            query = query.where(messages.c.seq < before)
        if after is not None:
            query = query.where(messages.c.seq > after)
        newest_first = after is None
        order = messages.c.seq.desc() if newest_first else messages.c.seq.asc()
        rows = await self._read(query.order_by(order).limit(limit))
        page = [StoredMessage(**row._mapping) for row in rows]
        return page[::-1] if newest_first else page

    # ---------------------------------------------------------------- chats and reading rights

    async def open_chat(self, conversation: str, member_ids: Sequence[int]) -> None:
        """Record a chat and its members, ordered before every later write."""

        def record_chat(connection: Connection, now: float) -> None:
            add_conversations(connection, [conversation], now)
            insert_or_ignore(
                connection,
                members,
                [{"conversation": conversation, "account_id": member} for member in member_ids],
            )

        await self._writer.submit(record_chat)

    async def can_read(self, account_id: int, conversation: str) -> bool:
        """Everyone reads the lobby; a direct message's two parties and a chat's members theirs."""
        if conversation == LOBBY:
            return True
        kind = kind_of(conversation)
        if kind == "dm":
            return account_id in (dm_members(conversation) or ())
        if kind != "chat":
            return False
        membership = exists().where(
            members.c.conversation == conversation, members.c.account_id == account_id
        )
        rows = await self._read(select(membership))
        return bool(rows[0][0])

    # ---------------------------------------------------------------- held for offline recipients

    async def hold(self, account_id: int, conversation: str, seq: int) -> None:
        """Keep a stored message for an offline recipient until :meth:`take_held`."""

        def keep(connection: Connection, _now: float) -> None:
            insert_or_ignore(
                connection,
                held,
                [{"account_id": account_id, "conversation": conversation, "seq": seq}],
            )

        self._holding.add(account_id)
        await self._writer.submit(keep)

    async def take_held(self, account_id: int) -> list[StoredMessage]:
        """Every message held for the account, in the order held, and forget them.

        Sees every :meth:`hold` called before it. An account with nothing held (most
        sign-ins) is answered at once, without a transaction.
        """
        if account_id not in self._holding:
            return []
        self._holding.discard(account_id)

        def take(connection: Connection, _now: float) -> list[StoredMessage]:
            rows = connection.execute(
                select(*_message_columns)
                .join_from(held, messages)
                .where(held.c.account_id == account_id)
                .order_by(held.c.id)
            )
            taken = [StoredMessage(**row._mapping) for row in rows]
            connection.execute(delete(held).where(held.c.account_id == account_id))
            return taken

        try:
            return await self._writer.submit(take)
        except StoreError:
            self._holding.add(account_id)
            raise

    # ---------------------------------------------------------------- plumbing

    async def _read(self, query: Executable) -> Sequence[Row[Any]]:
        if self._writer.closed:
            raise StoreError("the store is closed")
        try:
            return await asyncio.get_running_loop().run_in_executor(
                self._readers, self._fetch, query
            )
        except SQLAlchemyError as exc:
            raise StoreError(f"the database failed: {exc}") from exc

    def _fetch(self, query: Executable) -> Sequence[Row[Any]]:
        with self._engine.connect() as connection:
            return connection.execute(query).all()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
