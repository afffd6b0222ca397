"""The tables, as SQLAlchemy Core sees them. Alembic migrations own the real schema.

The full-text index is not here: it is dialect-specific (on SQLite an FTS5 table, a view,
triggers and the one-row table of its high-water mark, on PostgreSQL a GIN index, all
named ``message_search…``),
made by the migrations and kept by :mod:`hubbub.store.search` and
:mod:`hubbub.store.indexer`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite

# Accounts and rooms keep ``name_skeleton``, the confusable skeleton of ``name_key``, and
# ``name_cased_skeleton``, that of ``name`` as written (hubbub.names.skeletons), so that a
# new name looking like an existing one is found with indexed lookups. Neither is
# unique: names claimed before the skeletons existed may share one.

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

SEARCH_PREFIX = "message_search"
"""Every database object of the full-text index is named with this prefix."""

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False),
    Column("name_key", String, nullable=False, unique=True),
    Column("name_skeleton", String, nullable=False, server_default="", index=True),
    Column("name_cased_skeleton", String, nullable=False, server_default="", index=True),
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
    Column("last_seen", Float, nullable=False, server_default=text("0")),
    Column("device", String),
    Column("address", String),
    Index("ix_tokens_account_id", "account_id"),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", String, primary_key=True),
    Column("kind", String, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("last_seq", Integer, nullable=False, server_default=text("0")),
)

members = Table(
    "members",
    metadata,
    Column("conversation", String, ForeignKey("conversations.id"), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), primary_key=True),
    Column("joined_at", Float),
    Index("ix_members_account_id_conversation", "account_id", "conversation"),
)

rooms = Table(
    "rooms",
    metadata,
    Column("id", String, ForeignKey("conversations.id"), primary_key=True),
    Column("name", String, nullable=False),
    Column("name_key", String, nullable=False, unique=True),
    Column("name_skeleton", String, nullable=False, server_default="", index=True),
    Column("name_cased_skeleton", String, nullable=False, server_default="", index=True),
    Column("topic", String, nullable=False, server_default=""),
    Column("private", Boolean, nullable=False, server_default=false()),
    Column("archived", Boolean, nullable=False, server_default=false()),
    Column("owner_id", Integer, ForeignKey("accounts.id")),
    Column("created_at", Float, nullable=False),
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
    Column("kind", String, nullable=False, server_default=text("'message'")),
    Column("target", Integer),  # an edit's or a delete's: the seq of the message it changes
    Column("mentions", Text),  # the names mentioned, as a JSON list; NULL for none
    Column("client_id", String),
    Column("edited", Boolean, nullable=False, server_default=false()),
    Column("deleted", Boolean, nullable=False, server_default=false()),
    Index(
        "uq_messages_sender_id_client_id",
        "sender_id",
        "client_id",
        unique=True,
        sqlite_where=text("client_id IS NOT NULL"),
        postgresql_where=text("client_id IS NOT NULL"),
    ),
)

mentions = Table(
    "mentions",
    metadata,
    Column("conversation", String, primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("account_id", Integer, ForeignKey("accounts.id"), primary_key=True),
    ForeignKeyConstraint(["conversation", "seq"], ["messages.conversation", "messages.seq"]),
    Index("ix_mentions_account_id_conversation_seq", "account_id", "conversation", "seq"),
)

read_markers = Table(
    "read_markers",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id"), primary_key=True),
    Column("conversation", String, ForeignKey("conversations.id"), primary_key=True),
    Column("seq", Integer, nullable=False),
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

room_moderators = Table(
    "room_moderators",
    metadata,
    Column("room", String, ForeignKey("rooms.id"), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), primary_key=True),
)

room_bans = Table(
    "room_bans",
    metadata,
    Column("room", String, ForeignKey("rooms.id"), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), primary_key=True),
)

room_mutes = Table(
    "room_mutes",
    metadata,
    Column("room", String, ForeignKey("rooms.id"), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), primary_key=True),
    Column("until", Float, nullable=False),
)

blocks = Table(
    "blocks",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id"), primary_key=True),
    Column("blocked_id", Integer, ForeignKey("accounts.id"), primary_key=True),
)

account_bans = Table(
    "account_bans",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id"), primary_key=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", Float, nullable=False),
    Column("actor", String, nullable=False),  # a name, or "hubbub admin" for the CLI
    Column("action", String, nullable=False),
    Column("target_id", Integer, ForeignKey("accounts.id")),
    Column("target", String),
    Column("room", String),
    Column("reason", String, nullable=False, server_default=""),
    Column("until", Float),
)


def include_name(name: str | None, type_: str, _parent_names: Mapping[Any, Any]) -> bool:
    """For Alembic's comparisons: leave out the full-text index (not in :data:`metadata`)."""
    return not (type_ in ("table", "index") and name is not None and name.startswith(SEARCH_PREFIX))


_dialect_inserts: dict[str, Callable[[Table], sqlite.Insert | postgresql.Insert]] = {
    "sqlite": sqlite.insert,
    "postgresql": postgresql.insert,
}


def dialect_insert(table: Table, dialect: str) -> sqlite.Insert | postgresql.Insert:
    """An INSERT that can say what to do on a conflict (SQLite and PostgreSQL spell it alike)."""
    return _dialect_inserts[dialect](table)


def ignoring_duplicates(table: Table, dialect: str) -> sqlite.Insert | postgresql.Insert:
    """An INSERT into ``table`` that skips rows whose key (primary or unique) is there."""
    return dialect_insert(table, dialect).on_conflict_do_nothing()
