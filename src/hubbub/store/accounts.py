"""Accounts and the session tokens that sign them in.

A token sign-in is a read, not a write: it answers without waiting for a commit and its
fsync, and its use (last seen, address, device) joins the writer's next batch unawaited;
the uses made while the writer is busy share one job and one statement there.
It must still never let through a token whose revocation the hub has already acted on
(signed out its connections): so while a write that ends sessions is on its way, or if
one was submitted while the read ran, the sign-in goes through the writer instead,
ordered after it. A revocation committed earlier is seen by the read.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update
from sqlalchemy.sql.elements import BindParameter

from hubbub.names import Skeletons, skeletons
from hubbub.store.claims import claiming
from hubbub.store.database import Database
from hubbub.store.prepared import Prepared
from hubbub.store.records import Account, SessionRecord
from hubbub.store.schema import accounts, tokens
from hubbub.store.token_reads import ACCOUNT_COLUMNS, TOKEN_ACCOUNT, TokenReads

SESSION_ID_CHARS = 16
"""Hex digits of a token's hash that name its session: 64 bits, unique within an account."""

# A token sign-in runs this and TOKEN_ACCOUNT on every connection: prepared, they skip
# SQLAlchemy's per-execute work (see store/prepared.py), most of the store's CPU for it.
_TOKEN_SEEN = Prepared(
    lambda _: (
        update(tokens)
        .where(tokens.c.token_hash == bindparam("digest"))
        .values(
            last_seen=bindparam("now"),
            address=bindparam("seen_from"),
            device=func.coalesce(bindparam("seen_on"), tokens.c.device),
        )
    )
)
# A sign-up runs these, and every password sign-in _ADD_TOKEN.
_ANY_ACCOUNT = Prepared(lambda _: select(accounts.c.id).limit(1))
_ADD_ACCOUNT = Prepared(
    lambda _: (
        insert(accounts)
        .values(
            _bound(
                "name",
                "name_key",
                "name_skeleton",
                "name_cased_skeleton",
                "password_hash",
                "role",
                "created_at",
            )
        )
        .returning(accounts.c.id)
    )
)
_ADD_TOKEN = Prepared(
    lambda _: insert(tokens).values(
        _bound("token_hash", "account_id", "created_at", "last_seen", "device", "address")
    )
)


def _bound(*columns: str) -> dict[str, BindParameter[Any]]:
    """Each column's value bound by its own name."""
    return {column: bindparam(column) for column in columns}


class Accounts:
    """Who can sign in, and with which tokens. The store keeps only a hash of each token."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._token_reads = TokenReads(database)
        self._ending = 0
        """Writes that end sessions, submitted and not yet settled."""
        self._ended = 0
        """Writes that end sessions, ever submitted."""
        self._last_use: asyncio.Future[None] | None = None
        """The latest token uses recorded unawaited; writes commit in order, so once it
        has settled, so have all before it."""
        self._uses: list[dict[str, Any]] | None = None
        """The token uses waiting for the writer to reach their shared UPDATE."""
        database.writer.on_batch.append(self._close_uses)

    @asynccontextmanager
    async def ending_sessions(self) -> AsyncIterator[None]:
        """Around a write that deletes tokens: token sign-ins meanwhile queue behind it."""
        self._ending += 1
        self._ended += 1
        try:
            yield
        finally:
            self._ending -= 1

    async def find_account(self, name_key: str) -> Account | None:
        """The account with this name key, if there is one."""
        rows = await self._database.rows(
            select(*ACCOUNT_COLUMNS).where(accounts.c.name_key == name_key)
        )
        return Account(**rows[0]._mapping) if rows else None

    async def create_account(self, name: str, name_key: str, password_hash: str) -> Account:
        """A new account, in no room yet; :class:`NameTaken` if the key is someone's or
        looks like someone's (see :func:`hubbub.names.skeletons`)."""
        name_skeletons = skeletons(name, name_key)

        def create(connection: Connection, now: float) -> Account:
            with claiming(connection, accounts, name_key, name_skeletons):
                return add_account(connection, now, name, name_key, name_skeletons, password_hash)

        return await self._database.write(create)

    async def issue_token(
        self, account_id: int, device: str | None = None, address: str | None = None
    ) -> str:
        """A new secret token that signs the account in; the store keeps only its hash."""
        return await self._database.write(
            lambda connection, now: add_token(connection, now, account_id, device, address)
        )

    async def account_for_token(
        self,
        token: str,
        seen_since: float = 0.0,
        device: str | None = None,
        address: str | None = None,
    ) -> Account | None:
        """Sign in with the token: its account, unless the token is unknown, revoked, or
        unused since before ``seen_since`` (then it is deleted). It is now last seen,
        from ``address`` (and ``device``, when given): recorded in the writer's next
        batch, not awaited (see the module's docstring)."""
        digest = _digest(token)

        def use(connection: Connection, now: float) -> Account | None:
            row = TOKEN_ACCOUNT.first(connection, {"digest": digest})
            if row is None:
                return None
            if row[0] < seen_since:
                connection.execute(delete(tokens).where(tokens.c.token_hash == digest))
                return None
            _TOKEN_SEEN.run_many(connection, [_use(digest, address, device, now)])
            return Account(*row[1:])

        if self._ending:
            return await self._database.write(use)
        ended = self._ended
        row = await self._token_reads.row(digest)
        if self._ended != ended or (row is not None and row[0] < seen_since):
            return await self._database.write(use)
        if row is None:
            return None
        self._record_use(_use(digest, address, device))
        return Account(*row[1:])

    def _record_use(self, use: dict[str, Any]) -> None:
        """Queue the use for the writer's next batch, with the others waiting for it."""
        if self._uses is not None:
            self._uses.append(use)
            return
        uses = self._uses = [use]
        self._last_use = self._database.writer.enqueue(
            functools.partial(_record_uses, uses), uses.__len__
        )
        self._last_use.add_done_callback(_settled)

    def _close_uses(self) -> None:
        """A batch is starting: its uses take no more (they go to a new job)."""
        self._uses = None

    async def sessions(self, account_id: int, seen_since: float = 0.0) -> list[SessionRecord]:
        """The account's tokens still usable, most recently used first, every use so far
        recorded."""
        if self._last_use is not None:
            await asyncio.wait([self._last_use])
        rows = await self._database.rows(
            select(
                tokens.c.token_hash,
                tokens.c.device,
                tokens.c.address,
                tokens.c.created_at,
                tokens.c.last_seen,
            )
            .where(tokens.c.account_id == account_id, tokens.c.last_seen >= seen_since)
            .order_by(tokens.c.last_seen.desc())
        )
        return [
            SessionRecord(
                session_id_of_digest(row.token_hash),
                row.device,
                row.address,
                row.created_at,
                row.last_seen,
            )
            for row in rows
        ]

    async def revoke_token(self, token: str) -> None:
        """The token no longer signs anyone in. Revoking an unknown token does nothing."""

        def revoke(connection: Connection, _now: float) -> None:
            connection.execute(delete(tokens).where(tokens.c.token_hash == _digest(token)))

        async with self.ending_sessions():
            await self._database.write(revoke)

    async def revoke_session(self, account_id: int, session_id: str) -> bool:
        """Revoke the account's token that ``session_id`` names; False if there is none."""

        def revoke(connection: Connection, _now: float) -> bool:
            gone = connection.execute(
                delete(tokens).where(
                    tokens.c.account_id == account_id,
                    tokens.c.token_hash.startswith(session_id, autoescape=True),
                )
            )
            return bool(gone.rowcount)

        async with self.ending_sessions():
            return await self._database.write(revoke)

    async def revoke_tokens(self, account_id: int, keep: str | None = None) -> None:
        """Revoke every token of the account but ``keep``."""

        def revoke(connection: Connection, _now: float) -> None:
            query = delete(tokens).where(tokens.c.account_id == account_id)
            if keep is not None:
                query = query.where(tokens.c.token_hash != _digest(keep))
            connection.execute(query)

        async with self.ending_sessions():
            await self._database.write(revoke)

    async def set_password(self, account_id: int, password_hash: str) -> None:
        def change(connection: Connection, _now: float) -> None:
            connection.execute(
                update(accounts)
                .where(accounts.c.id == account_id)
                .values(password_hash=password_hash)
            )

        await self._database.write(change)


def add_account(
    connection: Connection,
    now: float,
    name: str,
    name_key: str,
    name_skeletons: Skeletons,
    password_hash: str,
) -> Account:
    """Insert the account, inside :func:`~hubbub.store.claims.claiming` its name.

    The first account of a database is ``"admin"`` (decided in the same transaction,
    so two first sign-ins at once cannot both be), every later one ``"user"``."""
    role = "user" if _ANY_ACCOUNT.first(connection, {}) else "admin"
    added = _ADD_ACCOUNT.first(
        connection,
        {
            "name": name,
            "name_key": name_key,
            "name_skeleton": name_skeletons.folded,
            "name_cased_skeleton": name_skeletons.cased,
            "password_hash": password_hash,
            "role": role,
            "created_at": now,
        },
    )
    assert added is not None
    return Account(added[0], name, name_key, password_hash, role)


def add_token(
    connection: Connection, now: float, account_id: int, device: str | None, address: str | None
) -> str:
    """Insert a new secret token of the account; the store keeps only its hash."""
    token = secrets.token_urlsafe(32)
    _ADD_TOKEN.run_many(
        connection,
        [
            {
                "token_hash": _digest(token),
                "account_id": account_id,
                "created_at": now,
                "last_seen": now,
                "device": device,
                "address": address,
            }
        ],
    )
    return token


def session_id(token: str) -> str:
    """The public name of a token's session: the start of its hash, which tells nothing of it."""
    return session_id_of_digest(_digest(token))


def session_id_of_digest(token_hash: str) -> str:
    return token_hash[:SESSION_ID_CHARS]


def _use(digest: str, address: str | None, device: str | None, now: float = 0.0) -> dict[str, Any]:
    """A token use's row for :data:`_TOKEN_SEEN`; ``now`` is set when it is written."""
    return {"digest": digest, "now": now, "seen_from": address, "seen_on": device}


def _record_uses(uses: list[dict[str, Any]], connection: Connection, now: float) -> None:
    """In the writer's thread: every use waiting, last seen ``now``, in one statement."""
    for use in uses:
        use["now"] = now
    _TOKEN_SEEN.run_many(connection, uses)


def _settled(future: asyncio.Future[None]) -> None:
    """A token's use not recorded (the store failed) costs only its "last seen": ignored."""
    if not future.cancelled():
        future.exception()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
