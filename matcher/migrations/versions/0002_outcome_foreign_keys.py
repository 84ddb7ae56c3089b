"""Outcome events belong to their school and partner: foreign keys with ON DELETE CASCADE.

Events that name a school or partner no longer stored (none should exist: loads check
references and deletes removed a record's events) are deleted first, since the keys
cannot hold otherwise. A database whose outcomes table already has the keys (made by
``create_all`` while they were being added, before this revision) is left as it is.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

KEYS = (
    ("outcomes_school_id_fkey", "school_id", "schools"),
    ("outcomes_partner_id_fkey", "partner_id", "partners"),
)


def _present() -> set[str]:
    fks = sa.inspect(op.get_bind()).get_foreign_keys("outcomes")
    return {fk["constrained_columns"][0] for fk in fks}


def upgrade() -> None:
    present = _present()
    missing = [k for k in KEYS if k[1] not in present]
    if not missing:
        return
    for _, column, table in missing:
        key = column  # the referenced tables' keys are named like the columns
        op.execute(
            f"DELETE FROM outcomes WHERE {column} NOT IN (SELECT {key} FROM {table})"  # noqa: S608
        )
    with op.batch_alter_table("outcomes") as batch:
        for name, column, table in missing:
            batch.create_foreign_key(name, table, [column], [column], ondelete="CASCADE")


def downgrade() -> None:
    with op.batch_alter_table("outcomes") as batch:
        for name, _, _ in KEYS:
            batch.drop_constraint(name, type_="foreignkey")
