"""Token look-ups that wait together share one trip to a reader thread.

In a storm of sign-ins each look-up alone would be one hand-off to a reader thread and
one wake-up of the loop: more CPU than the query itself. Look-ups made while a trip is
under way wait for the next one, which takes them all, as the writer does with writes.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

from sqlalchemy import Connection, bindparam, select

from hubbub.store.database import Database
from hubbub.store.prepared import Prepared
from hubbub.store.records import StoreError
from hubbub.store.schema import accounts, tokens

ACCOUNT_COLUMNS = (
    accounts.c.id,
    accounts.c.name,
    accounts.c.name_key,
    accounts.c.password_hash,
    accounts.c.role,
)

TOKEN_ACCOUNT = Prepared(
    lambda _: (
        select(tokens.c.last_seen, *ACCOUNT_COLUMNS)
        .join_from(tokens, accounts)
        .where(tokens.c.token_hash == bindparam("digest"))
    )
)
"""A token's ``last_seen`` followed by its account's :data:`ACCOUNT_COLUMNS`, by its hash."""

TokenRow = tuple[Any, ...]


class TokenReads:
    """Reads :data:`TOKEN_ACCOUNT` rows in batches, one reader-thread trip per batch."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._waiting: list[tuple[str, asyncio.Future[TokenRow | None]]] = []
        self._trips: asyncio.Task[None] | None = None

    async def row(self, digest: str) -> TokenRow | None:
        """The row of the token with this hash, if there is one."""
        future: asyncio.Future[TokenRow | None] = asyncio.get_running_loop().create_future()
        self._waiting.append((digest, future))
        if self._trips is None:
            self._trips = asyncio.create_task(self._travel(), name="hubbub-token-reads")
        return await future

    async def _travel(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            digests = [digest for digest, _ in batch]
            try:
                rows = await self._database.read(partial(_read, digests=digests))
            except Exception as exc:  # the driver's own errors too: every waiter must hear
                failure = exc if isinstance(exc, StoreError) else StoreError(str(exc))
                for _, future in batch:
                    if not future.done():
                        future.set_exception(failure)
                continue
            for (_, future), row in zip(batch, rows, strict=True):
                if not future.done():
                    future.set_result(row)
        self._trips = None


def _read(connection: Connection, *, digests: list[str]) -> list[TokenRow | None]:
    return [TOKEN_ACCOUNT.first(connection, {"digest": digest}) for digest in digests]
