"""Rooms (and the Lobby as one), read markers, mentions, edits and deletes, client ids, search.

Every existing account becomes a member of the Lobby, and both parties of every
existing direct message members of it. On SQLite, an FTS5 index of the messages, which
the store brings up to date in batches from a high-water mark (not in each commit); on
PostgreSQL, a GIN index of their text search vectors, kept in each commit.

Revision ID: 0002
Revises: 0001
Create Date: 2026-05-09
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

# The text indexed is the message's without the snippet markers U+E000 and U+E001.
_SEARCHABLE = "replace(replace({}.text, char(57344), ''), char(57345), '')"
_FINDABLE = "{0}.kind = 'message' AND NOT {0}.deleted"
# New messages are indexed in batches, off the commit that stores them (see
# hubbub.store.indexer): every message with a rowid at or below indexed_to is in the
# index if findable, none above it is. The triggers keep the index right for the rows at
# or below the mark; those above are indexed later with the text they have then.
_INDEXED = "{}.rowid <= (SELECT indexed_to FROM message_search_progress)"
_SQLITE_SEARCH = (
    f"""
    CREATE VIEW message_search_source AS
    SELECT rowid AS id, {_SEARCHABLE.format("messages")} AS text
    FROM messages WHERE {_FINDABLE.format("messages")}
    """,
    """
    CREATE VIRTUAL TABLE message_search USING fts5(
        text, content='message_search_source', content_rowid='id'
    )
    """,
    "CREATE TABLE message_search_progress (indexed_to INTEGER NOT NULL)",
    f"""
    CREATE TRIGGER message_search_delete AFTER DELETE ON messages BEGIN
        INSERT INTO message_search(message_search, rowid, text)
        SELECT 'delete', old.rowid, {_SEARCHABLE.format("old")}
        WHERE {_FINDABLE.format("old")} AND {_INDEXED.format("old")};
        -- The next rowid is the largest plus one: a deleted last row's may come back.
        UPDATE message_search_progress
        SET indexed_to = (SELECT coalesce(max(rowid), 0) FROM messages)
        WHERE indexed_to > (SELECT coalesce(max(rowid), 0) FROM messages);
    END
    """,
    f"""
    CREATE TRIGGER message_search_update AFTER UPDATE OF text, kind, deleted ON messages
    WHEN {_INDEXED.format("old")} BEGIN
        INSERT INTO message_search(message_search, rowid, text)
        SELECT 'delete', old.rowid, {_SEARCHABLE.format("old")} WHERE {_FINDABLE.format("old")};
        INSERT INTO message_search(rowid, text)
        SELECT new.rowid, {_SEARCHABLE.format("new")} WHERE {_FINDABLE.format("new")};
    END
    """,
    "INSERT INTO message_search(message_search) VALUES ('rebuild')",
    "INSERT INTO message_search_progress SELECT coalesce(max(rowid), 0) FROM messages",
)
# PostgreSQL: the same text (without the markers), the same messages, words as the
# "simple" configuration cuts and lower-cases them. hubbub.store.search queries this
# expression, spelled exactly so.
_POSTGRESQL_SEARCH = (
    "CREATE INDEX message_search ON messages USING gin ("
    "to_tsvector('simple', replace(replace(text, chr(57344), ''), chr(57345), ''))"
    f") WHERE {_FINDABLE.format('messages')}"
)


def upgrade() -> None:
    # Plain ADD COLUMNs, which SQLite does in place (a batch would copy the whole table).
    for column in (
        sa.Column("kind", sa.String(), server_default=sa.text("'message'"), nullable=False),
        sa.Column("target", sa.Integer(), nullable=True),
        sa.Column("mentions", sa.Text(), nullable=True),
        sa.Column("client_id", sa.String(), nullable=True),
        sa.Column("edited", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
    ):
        op.add_column("messages", column)
    # Partial: messages without a client id (most) cost the index nothing.
    op.create_index(
        "uq_messages_sender_id_client_id",
        "messages",
        ["sender_id", "client_id"],
        unique=True,
        sqlite_where=sa.text("client_id IS NOT NULL"),
        postgresql_where=sa.text("client_id IS NOT NULL"),
    )
    op.add_column("members", sa.Column("joined_at", sa.Float(), nullable=True))
    op.create_index("ix_members_account_id_conversation", "members", ["account_id", "conversation"])

    op.create_table(
        "rooms",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("name_key", sa.String(), nullable=False),
        sa.Column("topic", sa.String(), server_default="", nullable=False),
        sa.Column("private", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("archived", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"], ["conversations.id"], name=op.f("fk_rooms_id_conversations")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["accounts.id"], name=op.f("fk_rooms_owner_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rooms")),
        sa.UniqueConstraint("name_key", name=op.f("uq_rooms_name_key")),
    )
    op.create_table(
        "mentions",
        sa.Column("conversation", sa.String(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_mentions_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["conversation", "seq"],
            ["messages.conversation", "messages.seq"],
            name=op.f("fk_mentions_conversation_seq_messages"),
        ),
        sa.PrimaryKeyConstraint("conversation", "seq", "account_id", name=op.f("pk_mentions")),
    )
    op.create_index(
        "ix_mentions_account_id_conversation_seq",
        "mentions",
        ["account_id", "conversation", "seq"],
    )
    op.create_table(
        "read_markers",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("conversation", sa.String(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_read_markers_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["conversation"],
            ["conversations.id"],
            name=op.f("fk_read_markers_conversation_conversations"),
        ),
        sa.PrimaryKeyConstraint("account_id", "conversation", name=op.f("pk_read_markers")),
    )

    _add_the_lobby()
    _add_dm_members()
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        for statement in _SQLITE_SEARCH:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(_POSTGRESQL_SEARCH)


def _add_the_lobby() -> None:
    """The Lobby becomes an ordinary room, with every account a member in order of sign-up."""
    op.execute(
        "INSERT INTO conversations (id, kind, created_at) SELECT 'lobby', 'room', "
        f"coalesce((SELECT min(created_at) FROM accounts), {time.time()!r}) "
        "WHERE NOT EXISTS (SELECT 1 FROM conversations WHERE id = 'lobby')"
    )
    op.execute("UPDATE conversations SET kind = 'room' WHERE id = 'lobby'")
    op.execute(
        "INSERT INTO rooms (id, name, name_key, topic, private, archived, owner_id, created_at) "
        "SELECT id, 'Lobby', 'lobby', '', false, false, NULL, created_at "
        "FROM conversations WHERE id = 'lobby'"
    )
    op.execute(
        "INSERT INTO members (conversation, account_id, joined_at) "
        "SELECT 'lobby', id, created_at FROM accounts "
        "WHERE id NOT IN (SELECT account_id FROM members WHERE conversation = 'lobby')"
    )


def _add_dm_members() -> None:
    """Both parties of each direct message ``dm:<low>:<high>`` become its members."""
    op.execute(
        "INSERT INTO members (conversation, account_id, joined_at) "
        "SELECT c.id, a.id, c.created_at FROM conversations AS c JOIN accounts AS a "
        "ON c.id LIKE 'dm:' || a.id || ':%' OR c.id LIKE 'dm:%:' || a.id "
        "WHERE c.kind = 'dm' AND NOT EXISTS ("
        "SELECT 1 FROM members AS m WHERE m.conversation = c.id AND m.account_id = a.id)"
    )


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "sqlite":
        for trigger in ("delete", "update"):
            op.execute(f"DROP TRIGGER message_search_{trigger}")
        op.execute("DROP TABLE message_search_progress")
        op.execute("DROP TABLE message_search")
        op.execute("DROP VIEW message_search_source")
    elif dialect == "postgresql":
        op.execute("DROP INDEX message_search")
    op.execute("DELETE FROM members WHERE conversation = 'lobby' OR conversation LIKE 'dm:%'")
    op.drop_table("read_markers")
    op.drop_index("ix_mentions_account_id_conversation_seq", table_name="mentions")
    op.drop_table("mentions")
    op.drop_table("rooms")
    op.execute("UPDATE conversations SET kind = 'lobby' WHERE id = 'lobby'")
    op.drop_index("ix_members_account_id_conversation", table_name="members")
    op.drop_column("members", "joined_at")
    op.drop_index("uq_messages_sender_id_client_id", table_name="messages")
    # Plain DROP COLUMNs (SQLite 3.35+): a batch would copy the table other tables refer to.
    for column in ("deleted", "edited", "client_id", "mentions", "target", "kind"):
        op.drop_column("messages", column)
