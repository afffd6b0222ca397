"""Claiming a name for a new account or room: refused if it is taken or looks taken."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Table, or_, select

from hubbub.names import Skeletons
from hubbub.store.prepared import refusable
from hubbub.store.records import NameTaken, StoreError


def refuse_taken(connection: Connection, table: Table, name_key: str, found: Skeletons) -> None:
    """Raise :class:`NameTaken` if a row of ``table`` (accounts or rooms) has this name key,
    or failing that either of these confusable skeletons, each compared with the same
    kind (``look_alike``). Run it inside the write transaction that inserts the name: the
    writer is serial, so no other claim slips in between the check and the insert."""
    exact = connection.scalar(select(table.c.name).where(table.c.name_key == name_key))
    if exact is not None:
        raise NameTaken(f"{table.name} already has the name {exact!r}", exact)
    similar = connection.scalar(
        select(table.c.name)
        .where(
            or_(
                table.c.name_skeleton == found.folded,
                table.c.name_cased_skeleton == found.cased,
            )
        )
        .limit(1)
    )
    if similar is not None:
        raise NameTaken(
            f"{table.name} has {similar!r}, which looks like {name_key!r}", similar, look_alike=True
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
