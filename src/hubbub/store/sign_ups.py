"""A password sign-up as one transaction: the account, its first rooms, its first token.

Each of those as a write of its own was a commit and its fsync, and a batch that a
lobby message could queue behind: a storm of sign-ups took three or four commits each.
Now it is one operation of the writer, which shares a batch with whatever else is
waiting. It writes the same rows as the separate writes do, with the same code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Connection

from hubbub.names import skeletons
from hubbub.store.accounts import add_account, add_token
from hubbub.store.claims import claiming
from hubbub.store.conversations import JoinOrder
from hubbub.store.database import Database
from hubbub.store.markers import move_markers
from hubbub.store.records import SignedUp
from hubbub.store.schema import accounts


class SignUps:
    """New accounts that arrive with a password and join their first rooms at once."""

    def __init__(self, database: Database, join_order: JoinOrder) -> None:
        self._database = database
        self._join_order = join_order

    async def sign_up(
        self,
        name: str,
        name_key: str,
        password_hash: str,
        rooms: Sequence[str],
        heads: Mapping[str, int],
        device: str | None,
        address: str | None,
    ) -> SignedUp:
        """In one transaction: a new account (:class:`NameTaken` if the key is someone's
        or looks like someone's, as :meth:`Accounts.create_account`), a member of each of
        ``rooms`` in that order having read to its ``heads`` entry (what was said before
        it joined is history, not unread), and a token issued to it from ``device`` and
        ``address``. If any of it is refused (a room not recorded), nothing is written:
        :class:`StoreError`."""
        name_skeletons = skeletons(name, name_key)
        read_to = {room: heads[room] for room in rooms if heads.get(room)}

        def sign_up(connection: Connection, now: float) -> SignedUp:
            with claiming(connection, accounts, name_key, name_skeletons):
                account = add_account(
                    connection, now, name, name_key, name_skeletons, password_hash
                )
                for room in rooms:
                    self._join_order.add_members(connection, room, [account.id], now)
                move_markers(connection, account.id, read_to)
                token = add_token(connection, now, account.id, device, address)
            return SignedUp(account, token)

        return await self._database.write(sign_up)
