"""The tables, as SQLAlchemy Core sees them. Alembic migrations own the real schema."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Column,
    Connection,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects import postgresql, sqlite

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False),
    Column("name_key", String, nullable=False, unique=True),
    Column("password_hash", String, nullable=False),
    Column("role", String, nullable=False),
    Column("created_at", Float, nullable=False),
    CheckConstraint("role IN ('user', 'admin')", name="role"),
)

tokens = Table(
    "tokens",
    metadata,
    Column("token_hash", String, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("created_at", Float, nullable=False),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", String, primary_key=True),
    Column("kind", String, nullable=False),
    Column("created_at", Float, nullable=False),
)

members = Table(
    "members",
    metadata,
    Column("conversation", String, ForeignKey("conversations.id"), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), primary_key=True),
)

messages = Table(
    "messages",
    metadata,
    Column("conversation", String, ForeignKey("conversations.id"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("ts", Float, nullable=False),
    Column("sender_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("sender", String, nullable=False),
    Column("text", Text, nullable=False),
    Column("recipient", String),
)

held = Table(
    "held",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("conversation", String, nullable=False),
    Column("seq", Integer, nullable=False),
    ForeignKeyConstraint(["conversation", "seq"], ["messages.conversation", "messages.seq"]),
    UniqueConstraint("account_id", "conversation", "seq"),
)

_dialect_inserts: dict[str, Callable[[Table], sqlite.Insert | postgresql.Insert]] = {
    "sqlite": sqlite.insert,
    "postgresql": postgresql.insert,
}


def ignoring_duplicates(table: Table, dialect: str) -> sqlite.Insert | postgresql.Insert:
    """An INSERT into ``table`` that skips rows whose key (primary or unique) is there."""
    return _dialect_inserts[dialect](table).on_conflict_do_nothing()


def insert_or_ignore(
    connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert the rows, skipping any whose key is already there."""
    if rows:
        connection.execute(ignoring_duplicates(table, connection.dialect.name), list(rows))
