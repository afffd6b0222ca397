"""The confusable skeleton of every account and room name, indexed.

A new name whose skeleton (Unicode TS #39, see hubbub.names) is an existing one's is
refused, and the indexed column makes that one lookup. The column is not unique: names
claimed before this revision may already share a skeleton, and both keep working.

The skeletons are computed in Python, so an offline (``--sql``) script cannot fill them
for the names already there: run this revision online (as ``hubbub serve`` does).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hubbub.names import skeleton

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

_TABLES = ("accounts", "rooms")


def upgrade() -> None:
    for table in _TABLES:
        op.add_column(
            table, sa.Column("name_skeleton", sa.String(), nullable=False, server_default="")
        )
        _backfill(table)
        op.create_index(op.f(f"ix_{table}_name_skeleton"), table, ["name_skeleton"])


def _backfill(table: str) -> None:
    names = sa.table(
        table, sa.column("id"), sa.column("name_key", sa.String), sa.column("name_skeleton")
    )
    if op.get_context().as_sql:
        return
    connection = op.get_bind()
    rows = connection.execute(sa.select(names.c.id, names.c.name_key)).all()
    if rows:
        connection.execute(
            sa.update(names)
            .where(names.c.id == sa.bindparam("row_id"))
            .values(name_skeleton=sa.bindparam("found")),
            [{"row_id": row.id, "found": skeleton(row.name_key)} for row in rows],
        )


def downgrade() -> None:
    for table in _TABLES:
        op.drop_index(op.f(f"ix_{table}_name_skeleton"), table_name=table)
        op.drop_column(table, "name_skeleton")
