"""The store: everything hubbub keeps, behind one async interface, opened from a URL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from alembic.util import CommandError
from sqlalchemy.exc import SQLAlchemyError

from hubbub.store.accounts import Accounts
from hubbub.store.conversations import JoinOrder
from hubbub.store.database import (
    Database,
    default_url,
    open_engine,
    parse_url,
    prepare_location,
    upgrade_schema,
    why_not_opened,
)
from hubbub.store.indexer import Indexer
from hubbub.store.markers import Markers
from hubbub.store.messages import Messages, accounts_with_held_messages
from hubbub.store.moderation import AccountChange, Act, AuditRecord, Moderation, ModerationState
from hubbub.store.records import (
    Account,
    ConversationSummary,
    Draft,
    Found,
    NameTaken,
    RoomRecord,
    SessionRecord,
    SignedUp,
    StoredMessage,
    StoreError,
)
from hubbub.store.rooms import Rooms
from hubbub.store.search import search_for
from hubbub.store.sign_ups import SignUps


async def open_store(url: str | Path) -> Store:
    """Open the database at ``url`` (``sqlite:///path/to/hubbub.db``), its schema brought up
    to date; a SQLite file and its directory are created if need be.

    A :class:`~pathlib.Path` is taken as a data directory: :func:`default_url` of it.
    """
    if isinstance(url, Path):
        url = default_url(url)
    where = parse_url(url)
    try:
        await asyncio.to_thread(prepare_location, where)
        await asyncio.to_thread(upgrade_schema, where)
        engine = open_engine(where)
        holding = await asyncio.to_thread(accounts_with_held_messages, engine)
    except (OSError, SQLAlchemyError, CommandError) as exc:
        raise StoreError(f"cannot open the database {where!r}: {why_not_opened(exc)}") from exc
    return Store(Database(engine), holding)


class Store:
    """Everything hubbub keeps. Every method raises :class:`StoreError` if the database fails
    or cannot keep what it is given (on PostgreSQL, text with the character U+0000).

    Writes are acknowledged only once committed, and are committed in the order they were
    called. Reads see every write that has been acknowledged. The parts it is made of
    (accounts, messages, rooms, markers, search) document each method.
    """

    def __init__(self, database: Database, holding: set[int]) -> None:
        join_order = JoinOrder()
        self._database = database
        self._accounts = Accounts(database)
        self._messages = Messages(database, join_order, holding)
        self._rooms = Rooms(database, join_order)
        self._markers = Markers(database)
        self._sign_ups = SignUps(database, join_order)
        self._moderation = Moderation(database)
        self._search = search_for(database.dialect)
        self._indexer = Indexer(database, self._search)

    @property
    def commits(self) -> int:
        """How many transactions the store has committed so far."""
        return self._database.writer.commits

    def on_commit(self, committed: Callable[[int, float], None]) -> None:
        """Call ``committed(writes, seconds)`` after every transaction the writer commits:
        each message, edit or delete of a shared INSERT counts as one write."""
        self._database.writer.on_commit.append(committed)

    async def close(self) -> None:
        """Commit every write already called for, then let go of the database."""
        await self._indexer.close()
        await self._database.close()

    # ---------------------------------------------------------------- accounts and tokens

    async def find_account(self, name_key: str) -> Account | None:
        return await self._accounts.find_account(name_key)

    async def create_account(self, name: str, name_key: str, password_hash: str) -> Account:
        return await self._accounts.create_account(name, name_key, password_hash)

    async def sign_up(
        self,
        name: str,
        name_key: str,
        password_hash: str,
        rooms: Sequence[str],
        heads: Mapping[str, int],
        device: str | None = None,
        address: str | None = None,
    ) -> SignedUp | NameTaken:
        """A new account in its first rooms with its first token, in one commit; or what
        says the name (or one like it) is taken. See :meth:`SignUps.sign_up`."""
        self._database.check_storable(name, device, address)
        try:
            return await self._sign_ups.sign_up(
                name, name_key, password_hash, rooms, heads, device, address
            )
        except NameTaken as taken:
            return taken

    async def issue_token(
        self, account_id: int, device: str | None = None, address: str | None = None
    ) -> str:
        return await self._accounts.issue_token(account_id, device, address)

    async def account_for_token(
        self,
        token: str,
        seen_since: float = 0.0,
        device: str | None = None,
        address: str | None = None,
    ) -> Account | None:
        return await self._accounts.account_for_token(token, seen_since, device, address)

    async def sessions(self, account_id: int, seen_since: float = 0.0) -> list[SessionRecord]:
        return await self._accounts.sessions(account_id, seen_since)

    async def revoke_token(self, token: str) -> None:
        await self._accounts.revoke_token(token)

    async def revoke_session(self, account_id: int, session_id: str) -> bool:
        return await self._accounts.revoke_session(account_id, session_id)

    async def revoke_tokens(self, account_id: int, keep: str | None = None) -> None:
        await self._accounts.revoke_tokens(account_id, keep)

    async def set_password(self, account_id: int, password_hash: str) -> None:
        await self._accounts.set_password(account_id, password_hash)

    # ---------------------------------------------------------------- rooms and membership

    async def load_rooms(self) -> list[RoomRecord]:
        return await self._rooms.load_rooms()

    async def create_room(self, room: RoomRecord) -> None:
        self._database.check_storable(room.name, room.topic)
        await self._rooms.create_room(room)

    async def update_room(
        self,
        room_id: str,
        *,
        topic: str | None = None,
        archived: bool | None = None,
        name_key: str | None = None,
    ) -> None:
        self._database.check_storable(topic)
        await self._rooms.update_room(room_id, topic=topic, archived=archived, name_key=name_key)

    async def add_member(self, conversation: str, account_id: int) -> None:
        await self._rooms.add_member(conversation, account_id)

    async def remove_member(self, conversation: str, account_id: int) -> None:
        await self._rooms.remove_member(conversation, account_id)

    async def is_member(self, conversation: str, account_id: int) -> bool:
        return await self._rooms.is_member(conversation, account_id)

    async def open_chat(self, conversation: str, member_ids: Sequence[int]) -> None:
        await self._rooms.open_chat(conversation, member_ids)

    # ---------------------------------------------------------------- moderation

    async def moderate(self, act: Act) -> int:
        """Carry out a moderation or administration act and log it; the audit row's id.

        A ban or a password reset deletes the account's tokens: token sign-ins wait for it."""
        async with self._accounts.ending_sessions():
            return await self._moderation.moderate(act)

    async def block(self, account_id: int, other_id: int, on: bool) -> None:
        await self._moderation.block(account_id, other_id, on)

    async def load_moderation(self) -> ModerationState:
        return await self._moderation.load()

    async def audit(self, before: int | None, limit: int) -> list[AuditRecord]:
        return await self._moderation.audit(before, limit)

    async def account_changes(self, after: int) -> list[AccountChange]:
        return await self._moderation.account_changes(after)

    async def blocked_names(self, account_id: int) -> list[str]:
        return await self._moderation.blocked_names(account_id)

    # ---------------------------------------------------------------- messages

    async def append(self, draft: Draft) -> StoredMessage:
        self._database.check_storable(draft.text, draft.client_id)
        self._indexer.appended()
        return await self._messages.append(draft)

    async def history(
        self,
        conversation: str,
        *,
        before: int | None = None,
        after: int | None = None,
        limit: int = 50,
    ) -> list[StoredMessage]:
        return await self._messages.history(conversation, before=before, after=after, limit=limit)

    async def find_message(self, conversation: str, seq: int) -> StoredMessage | None:
        return await self._messages.find_message(conversation, seq)

    async def heads(self) -> dict[str, int]:
        return await self._messages.heads()

    async def hold(self, account_id: int, conversation: str, seq: int) -> None:
        await self._messages.hold(account_id, conversation, seq)

    async def take_held(self, account_id: int) -> list[StoredMessage]:
        return await self._messages.take_held(account_id)

    # ---------------------------------------------------------------- reading

    async def mark_read(self, account_id: int, conversation: str, seq: int) -> int:
        return await self._markers.mark_read(account_id, conversation, seq)

    async def conversations(self, account_id: int) -> list[ConversationSummary]:
        return await self._markers.conversations(account_id)

    async def search(
        self,
        account_id: int,
        query: str,
        *,
        conversation: str | None = None,
        offset: int = 0,
        limit: int = 20,
    ) -> list[Found]:
        """Messages with every word of ``query``, newest first, in the account's conversations.

        Any text is a valid query: its words are searched for literally. It finds every
        message acknowledged before it was called: if some are not indexed yet (new
        messages are indexed in batches, off their commits), it has them indexed first.
        """
        if limit < 1 or offset < 0:
            raise ValueError(f"need limit >= 1 and offset >= 0, not {limit} and {offset}")
        await self._indexer.catch_up()
        return await self._database.read(
            lambda connection: self._search.find(
                connection, account_id, query, conversation, offset, limit
            )
        )
