"""A second confusable skeleton for every account and room name: that of the name as written.

Revision 0004 keeps the skeleton of the case-folded key, which misses capitals that look
like another small letter: "aIice" with a capital I beside "alice", or "bob" written with
Cyrillic capital soft signs.
This one keeps the skeleton of the name with its case (see hubbub.names.skeletons), indexed
like the other. It is not unique: names claimed before this revision may share one.

The skeletons are computed in Python, so an offline (``--sql``) script cannot fill them
for the names already there: run this revision online (as ``hubbub serve`` does).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hubbub.names import skeleton

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

_TABLES = ("accounts", "rooms")


def upgrade() -> None:
    for table in _TABLES:
        op.add_column(
            table,
            sa.Column("name_cased_skeleton", sa.String(), nullable=False, server_default=""),
        )
        _backfill(table)
        op.create_index(op.f(f"ix_{table}_name_cased_skeleton"), table, ["name_cased_skeleton"])


def _backfill(table: str) -> None:
    names = sa.table(
        table, sa.column("id"), sa.column("name", sa.String), sa.column("name_cased_skeleton")
    )
    if op.get_context().as_sql:
        return
    connection = op.get_bind()
    rows = connection.execute(sa.select(names.c.id, names.c.name)).all()
    if rows:
        connection.execute(
            sa.update(names)
            .where(names.c.id == sa.bindparam("row_id"))
            .values(name_cased_skeleton=sa.bindparam("found")),
            [{"row_id": row.id, "found": skeleton(row.name)} for row in rows],
        )


def downgrade() -> None:
    for table in _TABLES:
        op.drop_index(op.f(f"ix_{table}_name_cased_skeleton"), table_name=table)
        op.drop_column(table, "name_cased_skeleton")
