"""Each conversation counts its entries: ``conversations.last_seq``.

The seq of a new entry is taken from this counter in the transaction that stores it
(see hubbub.store.sequencing), so that two processes on one database can never hand out
the same one. It starts at each conversation's last seq.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # A plain ADD COLUMN with a constant default: in place on SQLite and PostgreSQL.
    op.add_column(
        "conversations",
        sa.Column("last_seq", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )
    op.execute(
        "UPDATE conversations SET last_seq = (SELECT coalesce(max(seq), 0) FROM messages "
        "WHERE messages.conversation = conversations.id)"
    )


def downgrade() -> None:
    op.drop_column("conversations", "last_seq")
