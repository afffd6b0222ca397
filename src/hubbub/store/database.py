"""Engines on the database: SQLite set up for durable commits, the schema kept by Alembic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import URL, Connection, Engine, create_engine, event

MIGRATIONS = Path(__file__).parent / "migrations"

_SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
)


def open_engine(url: URL | str) -> Engine:
    """An engine on the database (e.g. ``sqlite:///path``). Blocking: use it off the loop."""
    engine = create_engine(url)
    _configure_sqlite(engine)
    return engine


def upgrade_schema(url: URL | str) -> None:
    """Bring the database's schema to the newest migration. Blocks: run it off the event loop."""
    engine = open_engine(url)
    try:
        with engine.begin() as connection:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()


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
