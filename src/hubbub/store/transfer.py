"""Moving an embedded installation (its SQLite file) into an empty PostgreSQL database.

Generic over :data:`hubbub.store.schema.metadata`: every table it describes is copied, in
foreign-key order, in batches, inside one transaction on the target (an interruption
leaves the target as it was). What SQLite does not keep up to date is then recomputed
on the target: each conversation's ``last_seq`` (see :mod:`hubbub.store.sequencing`)
and the sequences behind integer ids. The full-text index is not copied: on PostgreSQL
it is an index on the messages' text, filled as the rows go in.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic.util import CommandError
from sqlalchemy import Connection, Engine, Table, func, inspect, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from hubbub.store.database import open_engine, parse_url, upgrade_schema
from hubbub.store.records import StoreError
from hubbub.store.schema import conversations, messages, metadata

BATCH_ROWS = 2000
"""Rows read from the source and inserted into the target at a time."""

Progress = Callable[[str], None]


def source_url(data_dir: Path) -> str:
    """The URL of the SQLite database in ``data_dir``; :class:`StoreError` if there is none."""
    path = data_dir / "hubbub.db"
    if not path.is_file():
        raise StoreError(f"there is no hubbub database in {data_dir} (no {path.name})")
    return f"sqlite:///{path}"


def migrate(source: str, target: str, progress: Progress) -> dict[str, int]:
    """Copy every table of ``source`` into the empty PostgreSQL database ``target``.

    Both schemas are brought to the newest migration first. Returns the rows copied per
    table. Blocking.
    """
    target_url = parse_url(target)
    if target_url.get_backend_name() != "postgresql":
        raise StoreError(f"the target must be a postgresql:// URL, not {target_url.drivername}")
    target_engine = open_engine(target_url)
    source_engine = open_engine(source)
    try:
        _check_empty(target_engine)
        upgrade_schema(source)
        progress("source schema: up to date")
        upgrade_schema(target_url)
        progress("target schema: made by the migrations")
        return _copy(source_engine, target_engine, progress)
    except (SQLAlchemyError, CommandError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip()  # the driver's words alone
        raise StoreError(f"the migration failed, nothing was copied: {reason}") from exc
    finally:
        source_engine.dispose()
        target_engine.dispose()


def _check_empty(engine: Engine) -> None:
    with engine.connect() as connection:
        found = inspect(connection).get_table_names()
    if found:
        shown = ", ".join(sorted(found)[:5]) + (", …" if len(found) > 5 else "")
        raise StoreError(
            f"the target database is not empty (it has tables: {shown}); "
            "migrate into a new, empty database"
        )


def _copy(source: Engine, target: Engine, progress: Progress) -> dict[str, int]:
    copied: dict[str, int] = {}
    with source.connect() as reading, reading.begin(), target.begin() as writing:
        # The migrations seed rows of their own (the lobby): the source has them too.
        for table in reversed(metadata.sorted_tables):
            writing.execute(table.delete())
        for table in metadata.sorted_tables:
            copied[table.name] = _copy_table(reading, writing, table, progress)
        _count_conversations(writing)
        progress("conversations: last_seq set from their messages")
        for table, column in _sequences(writing):
            progress(f"{table}.{column}: sequence set to the highest id")
    return copied


def _copy_table(reading: Connection, writing: Connection, table: Table, progress: Progress) -> int:
    rows = 0
    ordered = select(table).order_by(*table.primary_key.columns)
    result = reading.execution_options(yield_per=BATCH_ROWS).execute(ordered)
    for batch in result.mappings().partitions(BATCH_ROWS):
        writing.execute(table.insert(), [dict(row) for row in batch])
        rows += len(batch)
        if rows % (10 * BATCH_ROWS) == 0:
            progress(f"{table.name}: {rows} rows so far")
    progress(f"{table.name}: {rows} rows")
    return rows


def _count_conversations(connection: Connection) -> None:
    last = (
        select(func.coalesce(func.max(messages.c.seq), 0))
        .where(messages.c.conversation == conversations.c.id)
        .scalar_subquery()
    )
    connection.execute(update(conversations).values(last_seq=last))


def _sequences(connection: Connection) -> list[tuple[str, str]]:
    """Set the sequence behind each integer id to the highest id copied (for the next)."""
    done: list[tuple[str, str]] = []
    for table in metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                f"coalesce(max({column.name}), 1), max({column.name}) IS NOT NULL) "
                f"FROM {table.name}"
            ),
            {"table": table.name, "column": column.name},
        )
        done.append((table.name, column.name))
    return done
