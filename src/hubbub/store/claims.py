"""Claiming a name for a new account or room: refused if it is taken or looks taken."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Table, bindparam, or_, select

from hubbub.names import Skeletons
from hubbub.store.prepared import Prepared, refusable
from hubbub.store.records import NameTaken, StoreError
from hubbub.store.schema import accounts, rooms


def _exact(table: Table) -> Prepared:
    return Prepared(lambda _: select(table.c.name).where(table.c.name_key == bindparam("key")))


def _similar(table: Table) -> Prepared:
    return Prepared(
        lambda _: (
            select(table.c.name)
            .where(
                or_(
                    table.c.name_skeleton == bindparam("folded"),
                    table.c.name_cased_skeleton == bindparam("cased"),
                )
            )
            .limit(1)
        )
    )


# Every sign-up runs these (see store/prepared.py).
_CHECKS = {table.name: (_exact(table), _similar(table)) for table in (accounts, rooms)}


def refuse_taken(connection: Connection, table: Table, name_key: str, found: Skeletons) -> None:
    """Raise :class:`NameTaken` if a row of ``table`` (accounts or rooms) has this name key,
    or failing that either of these confusable skeletons, each compared with the same
    kind (``look_alike``). Run it inside the write transaction that inserts the name: the
    writer is serial, so no other claim slips in between the check and the insert."""
    exact, similar = _CHECKS[table.name]
    holder = exact.first(connection, {"key": name_key})
    if holder is not None:
        raise NameTaken(f"{table.name} already has the name {holder[0]!r}", holder[0])
    alike = similar.first(connection, {"folded": found.folded, "cased": found.cased})
    if alike is not None:
        raise NameTaken(
            f"{table.name} has {alike[0]!r}, which looks like {name_key!r}",
            alike[0],
            look_alike=True,
        )


@contextmanager
def claiming(
    connection: Connection, table: Table, name_key: str, found: Skeletons
) -> Iterator[None]:
    """Around the prepared writes that claim the name: :func:`refuse_taken` first, then
    the writes, all undone if the database refuses one (:func:`~hubbub.store.prepared.refusable`).

    Another process on the same PostgreSQL database has its own writer, so it may claim
    the key between this one's check and insert: the insert then waits for its commit and
    is refused by the unique key. The check runs again, sees that claim, and the caller
    gets :class:`NameTaken` as if it had been there first, not a failed batch.
    """
    refuse_taken(connection, table, name_key, found)
    try:
        with refusable(connection):
            yield
    except StoreError:
        refuse_taken(connection, table, name_key, found)
        raise
