"""Moderation: room moderators, bans and mutes, blocks, account bans and the audit log.

The audit log is also how a running server learns of what ``hubbub admin`` did to
accounts: it reads the rows added since the last it saw, every second.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def _room_account(name: str, *extra: sa.Column[float]) -> None:
    op.create_table(
        name,
        sa.Column("room", sa.String(), sa.ForeignKey("rooms.id"), nullable=False),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        *extra,
        sa.PrimaryKeyConstraint("room", "account_id", name=f"pk_{name}"),
    )


def upgrade() -> None:
    _room_account("room_moderators")
    _room_account("room_bans")
    _room_account("room_mutes", sa.Column("until", sa.Float(), nullable=False))
    op.create_table(
        "blocks",
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("blocked_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "blocked_id", name="pk_blocks"),
    )
    op.create_table(
        "account_bans",
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name="pk_account_bans"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("target_id", sa.Integer(), sa.ForeignKey("accounts.id")),
        sa.Column("target", sa.String()),
        sa.Column("room", sa.String()),
        sa.Column("reason", sa.String(), nullable=False, server_default=""),
        sa.Column("until", sa.Float()),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )


def downgrade() -> None:
    for table in (
        "audit_log",
        "account_bans",
        "blocks",
        "room_mutes",
        "room_bans",
        "room_moderators",
    ):
        op.drop_table(table)
