"""The database: where it is (a URL), its schema (Alembic), and the threads that use it.

Two backends: a SQLite file (the embedded default), set up for durable commits, and
PostgreSQL through psycopg 3. Every write goes through the one :class:`Writer`; reads
run in a small pool of threads of their own (not the loop's default executor, where
password hashes queue).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import URL, Connection, Engine, Executable, Row, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from hubbub.store.records import StoreError, StoreUnavailable
from hubbub.store.writer import Operation, Writer, unreachable

T = TypeVar("T")

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 0x68756262
"""The PostgreSQL advisory lock a migration holds: "hubb" in ASCII."""

_SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
)


def default_url(data_dir: Path) -> str:
    """The URL of the SQLite database kept in ``data_dir``."""
    return f"sqlite:///{data_dir}/hubbub.db"


def parse_url(url: str) -> URL:
    """The URL if the store can open it (``postgresql://`` goes through psycopg 3); else
    :class:`StoreError` saying why not."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if parsed.drivername not in ("postgresql", "postgresql+psycopg"):
            raise StoreError(f"PostgreSQL is reached through psycopg 3, not {parsed.drivername}")
        if not parsed.database:
            raise StoreError(f"name the PostgreSQL database to use: {parsed!r}")
        return parsed.set(drivername="postgresql+psycopg")
    if backend != "sqlite":
        raise StoreError(f"hubbub keeps its data in SQLite or PostgreSQL, not {backend}")
    if parsed.database in (None, "", ":memory:"):
        raise StoreError("the store needs a SQLite file, not an in-memory database")
    return parsed


def why_not_opened(error: BaseException) -> str:
    """Why a database could not be opened, on one line: the driver's words alone."""
    return " ".join(str(getattr(error, "orig", None) or error).split())


def shown_url(url: str) -> str:
    """The URL as it may be printed: any password in it masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def prepare_location(url: URL) -> None:
    """Make the directory a SQLite file goes in. Blocking."""
    if url.get_backend_name() == "sqlite" and url.database:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def open_engine(url: URL | str) -> Engine:
    """An engine on the database (e.g. ``sqlite:///path``). Blocking: use it off the loop.

    On PostgreSQL each connection is checked as it leaves the pool (one round trip), so
    that after the server restarted, a connection it dropped is replaced, not used.
    """
    pinged = make_url(url).get_backend_name() == "postgresql"
    engine = create_engine(url, pool_pre_ping=pinged)
    _configure_sqlite(engine)
    return engine


def upgrade_schema(url: URL | str) -> None:
    """Bring the database's schema to the newest migration. Blocks: run it off the event loop."""
    engine = open_engine(url)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Processes starting together migrate one at a time (the lock ends with
                # the transaction); the later ones find the schema new.
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()


class Database:
    """An engine with its one writer and its pool of readers.

    Writes are acknowledged only once committed, in the order they were called; reads
    see every write that has been acknowledged.
    """

    def __init__(self, engine: Engine, readers: int = 2) -> None:
        self.engine = engine
        self.writer = Writer(engine)
        self._readers = ThreadPoolExecutor(readers, thread_name_prefix="hubbub-store-reader")

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def check_storable(self, *texts: str | None) -> None:
        """Raise :class:`StoreError` if the database cannot keep one of these texts as given.

        PostgreSQL's text cannot hold the character U+0000: refused before it is queued, so
        that it fails its own write and not the batch it would have joined.
        """
        if self.dialect == "postgresql" and any(text and "\x00" in text for text in texts):
            raise StoreError("PostgreSQL cannot store the character U+0000 (NUL)")

    async def write(self, operation: Operation[T]) -> T:
        """Run the operation in the writer's next transaction; its result once committed."""
        return await self.writer.submit(operation)

    async def read(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` on a connection of its own, in the readers' pool."""
        if self.writer.closed:
            raise StoreError("the store is closed")
        try:
            return await asyncio.get_running_loop().run_in_executor(self._readers, self._run, work)
        except SQLAlchemyError as exc:
            kind = StoreUnavailable if unreachable(exc) else StoreError
            raise kind(f"the database failed: {exc}") from exc

    async def rows(self, query: Executable) -> Sequence[Row[Any]]:
        """Every row the query returns."""
        return await self.read(lambda connection: connection.execute(query).all())

    async def close(self) -> None:
        """Commit every write already called for, then let go of the database."""
        await self.writer.close()
        self._readers.shutdown()
        self.engine.dispose()

    def _run(self, work: Callable[[Connection], T]) -> T:
        with self.engine.connect() as connection:
            return work(connection)


def _configure_sqlite(engine: Engine) -> None:
    """On SQLite: WAL, full sync, foreign keys, a busy timeout, and transactions that really begin.

    sqlite3 on its own would not open a transaction before a SELECT or DDL statement.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")
