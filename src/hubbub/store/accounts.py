"""Accounts and the session tokens that sign them in."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import Connection, delete, insert, select

from hubbub.names import skeleton
from hubbub.store.claims import refuse_taken
from hubbub.store.database import Database
from hubbub.store.records import Account
from hubbub.store.schema import accounts, tokens

_account_columns = (
    accounts.c.id,
    accounts.c.name,
    accounts.c.name_key,
    accounts.c.password_hash,
    accounts.c.role,
)


class Accounts:
    """Who can sign in, and with which tokens. The store keeps only a hash of each token."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def find_account(self, name_key: str) -> Account | None:
        """The account with this name key, if there is one."""
        rows = await self._database.rows(
            select(*_account_columns).where(accounts.c.name_key == name_key)
        )
        return Account(**rows[0]._mapping) if rows else None

    async def create_account(self, name: str, name_key: str, password_hash: str) -> Account:
        """A new account, in no room yet; :class:`NameTaken` if the key is someone's or
        looks like someone's (the same confusable skeleton).

        The first account of a database is ``"admin"`` (decided in the same transaction,
        so two first sign-ins at once cannot both be), every later one ``"user"``."""
        name_skeleton = skeleton(name_key)

        def create(connection: Connection, now: float) -> Account:
            refuse_taken(connection, accounts, name_key, name_skeleton)
            first = connection.scalar(select(accounts.c.id).limit(1)) is None
            role = "admin" if first else "user"
            account_id = connection.scalar(
                insert(accounts)
                .values(
                    name=name,
                    name_key=name_key,
                    name_skeleton=name_skeleton,
                    password_hash=password_hash,
                    role=role,
                    created_at=now,
                )
                .returning(accounts.c.id)
            )
            assert account_id is not None
            return Account(account_id, name, name_key, password_hash, role)

        return await self._database.write(create)

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

        return await self._database.write(issue)

    async def account_for_token(self, token: str) -> Account | None:
        """The account the token signs in, unless the token is unknown or revoked."""
        rows = await self._database.rows(
            select(*_account_columns)
            .join_from(tokens, accounts)
            .where(tokens.c.token_hash == _digest(token))
        )
        return Account(**rows[0]._mapping) if rows else None

    async def revoke_token(self, token: str) -> None:
        """The token no longer signs anyone in. Revoking an unknown token does nothing."""

        def revoke(connection: Connection, _now: float) -> None:
            connection.execute(delete(tokens).where(tokens.c.token_hash == _digest(token)))

        await self._database.write(revoke)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
