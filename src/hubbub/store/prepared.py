"""The few statements every message runs, compiled once and run on the driver's cursor.

SQLAlchemy builds a cache key, finds the compiled form and sets up an execution
context on every ``execute``: about 50 CPU-µs a statement here, more than SQLite
takes to run it. A :class:`Prepared` statement is built from the same Core constructs,
compiled once per dialect, and then goes straight to the DB-API cursor of the
connection, inside the transaction SQLAlchemy opened. The message path and the writes
that come with direct messages (holds for offline recipients, taking them back, read
markers) use it; everything else stays plain SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from hubbub.store.records import StoreError

Row = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    defaults: dict[str, Any]
    """Values the statement binds by itself, such as a LIMIT."""
    order: tuple[str, ...] | None
    """Parameter names in order, for drivers that bind by position; None binds by name."""

    def bind(self, row: Row) -> Sequence[Any] | Row:
        values = {**self.defaults, **row} if self.defaults else row
        return values if self.order is None else tuple(values[name] for name in self.order)


class Prepared:
    """A statement for ``build(dialect name)``, compiled the first time each dialect runs it."""

    __slots__ = ("_build", "_compiled")

    def __init__(self, build: Callable[[str], ClauseElement]) -> None:
        self._build = build
        self._compiled: dict[str, _Compiled] = {}

    def run_many(self, connection: Connection, rows: Sequence[Row]) -> None:
        """Run the statement once per row, in one driver call."""
        if not rows:
            return
        compiled = self._compile(connection)
        cursor = _cursor(connection)
        try:
            bound: list[Any] = [compiled.bind(row) for row in rows]
            cursor.executemany(compiled.sql, bound)
        finally:
            cursor.close()

    def first(self, connection: Connection, row: Row) -> tuple[Any, ...] | None:
        """The first row the query returns for these parameters, if any."""
        compiled = self._compile(connection)
        cursor = _cursor(connection)
        try:
            cursor.execute(compiled.sql, compiled.bind(row))
            found: tuple[Any, ...] | None = cursor.fetchone()
            return found
        finally:
            cursor.close()

    def all(self, connection: Connection, row: Row) -> list[tuple[Any, ...]]:
        """Every row the query returns for these parameters."""
        compiled = self._compile(connection)
        cursor = _cursor(connection)
        try:
            cursor.execute(compiled.sql, compiled.bind(row))
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def _compile(self, connection: Connection) -> _Compiled:
        dialect = connection.dialect
        known = self._compiled.get(dialect.name)
        if known is None:
            compiled = self._build(dialect.name).compile(dialect=dialect)
            assert isinstance(compiled, SQLCompiler), "messages are stored with SQL statements"
            order = tuple(compiled.positiontup or ()) if compiled.positional else None
            defaults = {name: value for name, value in compiled.params.items() if value is not None}
            known = _Compiled(str(compiled), defaults, order)
            self._compiled[dialect.name] = known
        return known


@contextmanager
def refusable(connection: Connection) -> Iterator[None]:
    """Undo the block's writes alone if the database refuses one (a key or a constraint):
    the caller gets :class:`StoreError` and the rest of the writer's batch carries on.

    :func:`hubbub.store.writer.refusing_conflicts` for prepared statements: a savepoint
    taken on the driver's cursor, three short statements instead of SQLAlchemy's two
    executes, and the driver's own ``IntegrityError`` caught.
    """
    cursor = _cursor(connection)
    try:
        cursor.execute("SAVEPOINT refusable")
        try:
            yield
        except connection.dialect.dbapi.IntegrityError as exc:  # type: ignore[union-attr]
            cursor.execute("ROLLBACK TO SAVEPOINT refusable")
            cursor.execute("RELEASE SAVEPOINT refusable")
            raise StoreError(f"the database refused the change: {exc}") from exc
        cursor.execute("RELEASE SAVEPOINT refusable")
    finally:
        cursor.close()


def _cursor(connection: Connection) -> Any:
    """A cursor of the driver's connection under ``connection``, in its transaction."""
    return connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
