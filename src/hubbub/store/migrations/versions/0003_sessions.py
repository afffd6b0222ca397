"""Sessions: each token's last sign-in, its device label and address, for ``sessions``
and for expiring tokens left idle.

Tokens issued before this have no device or address; their last sign-in is taken to be
when they were issued.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs, which SQLite does in place (a batch would copy the whole table).
    op.add_column(
        "tokens",
        sa.Column("last_seen", sa.Float(), server_default=sa.text("0"), nullable=False),
    )
    op.add_column("tokens", sa.Column("device", sa.String(), nullable=True))
    op.add_column("tokens", sa.Column("address", sa.String(), nullable=True))
    op.execute("UPDATE tokens SET last_seen = created_at")
    op.create_index("ix_tokens_account_id", "tokens", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_tokens_account_id", table_name="tokens")
    for column in ("address", "device", "last_seen"):
        op.drop_column("tokens", column)
