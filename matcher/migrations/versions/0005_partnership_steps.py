"""Partnership steps made atomic: one open partnership per pair, a versioned memorandum,
and a district's (dinas) proposal that both sides accept.

A unique partial index allows one open (proposed, accepted, active) partnership per
school and partner. Databases written before it may hold two open ones for a pair (two
proposals made at once): the older one stays, the newer ones are closed as ``declined``
with the reason that they were duplicates, so the index can hold.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OPEN = "status IN ('proposed', 'accepted', 'active')"


def upgrade() -> None:
    with op.batch_alter_table("partnerships") as batch:
        batch.add_column(sa.Column("mou_version", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("dinas", sa.String(120)))
        batch.add_column(
            sa.Column("school_accepted", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("partner_accepted", sa.Boolean, nullable=False, server_default=sa.false())
        )
    op.execute(
        sa.text(
            "UPDATE partnerships SET status = 'declined', "
            "end_reason = 'duplicate of an older open proposal (closed by migration 0005)' "
            f"WHERE {OPEN} AND EXISTS (SELECT 1 FROM partnerships AS older "
            "WHERE older.school_id = partnerships.school_id "
            "AND older.partner_id = partnerships.partner_id "
            f"AND older.{OPEN} "
            "AND (older.created_at < partnerships.created_at OR (older.created_at = "
            "partnerships.created_at AND older.partnership_id < partnerships.partnership_id)))"
        )
    )
    op.create_index(
        "uq_partnerships_open_pair",
        "partnerships",
        ["school_id", "partner_id"],
        unique=True,
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )


def downgrade() -> None:
    op.drop_index("uq_partnerships_open_pair", table_name="partnerships")
    with op.batch_alter_table("partnerships") as batch:
        for name in ("partner_accepted", "school_accepted", "dinas", "mou_version"):
            batch.drop_column(name)
