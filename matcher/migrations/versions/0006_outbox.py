"""Notifications: the outbox of mail to send, the scanner's mark, and each account's mail
language and stop switch (matcher.outbox).

Revision ID: 0006n
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006n"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("mail_language", sa.String(8)))
        batch.add_column(
            sa.Column("mail_off", sa.Boolean, nullable=False, server_default=sa.false())
        )
    op.create_table(
        "outbox",
        sa.Column("outbox_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_key", sa.String(200), nullable=False),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.user_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column(
            "partnership_id",
            sa.String(32),
            sa.ForeignKey("partnerships.partnership_id", ondelete="CASCADE"),
        ),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("due_at", sa.DateTime, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("claimed_until", sa.DateTime),
        sa.Column("sent_at", sa.DateTime),
        sa.Column("last_error", sa.Text),
        sa.UniqueConstraint("event_key"),
    )
    op.create_index("ix_outbox_user_id", "outbox", ["user_id"])
    op.create_index("ix_outbox_partnership_id", "outbox", ["partnership_id"])
    op.create_index("ix_outbox_due_at", "outbox", ["due_at"])
    op.create_index("ix_outbox_sent_at", "outbox", ["sent_at"])
    op.create_table(
        "outbox_marks",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("value", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("outbox_marks")
    op.drop_index("ix_outbox_sent_at", "outbox")
    op.drop_index("ix_outbox_due_at", "outbox")
    op.drop_index("ix_outbox_partnership_id", "outbox")
    op.drop_index("ix_outbox_user_id", "outbox")
    op.drop_table("outbox")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("mail_off")
        batch.drop_column("mail_language")
