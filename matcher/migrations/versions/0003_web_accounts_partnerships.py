"""The web app: contact columns on schools and partners, web accounts, and partnerships
with their messages.

Contacts (``contact_name, phone, email, whatsapp``; CONTRACT.md §2) are optional and
empty on existing rows. The three new tables belong to their school and partner
(ON DELETE CASCADE), as outcome events do.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CONTACTS = (("contact_name", 120), ("phone", 30), ("email", 254), ("whatsapp", 30))


def upgrade() -> None:
    for table in ("schools", "partners"):
        with op.batch_alter_table(table) as batch:
            for name, length in CONTACTS:
                batch.add_column(sa.Column(name, sa.String(length)))
    op.create_table(
        "users",
        sa.Column("user_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column(
            "school_id",
            sa.String(64),
            sa.ForeignKey("schools.school_id", ondelete="CASCADE"),
            index=True,
        ),
        sa.Column(
            "partner_id",
            sa.String(64),
            sa.ForeignKey("partners.partner_id", ondelete="CASCADE"),
            index=True,
        ),
        sa.Column("regency", sa.String(120)),
        sa.Column("password_hash", sa.String(200)),
        sa.Column("token_hash", sa.String(64), index=True),
        sa.Column("token_expires", sa.DateTime),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("failed_at", sa.DateTime),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "partnerships",
        sa.Column("partnership_id", sa.String(32), primary_key=True),
        sa.Column(
            "school_id",
            sa.String(64),
            sa.ForeignKey("schools.school_id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "partner_id",
            sa.String(64),
            sa.ForeignKey("partners.partner_id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("proposed_by", sa.String(8), nullable=False),
        sa.Column("school_roles", sa.Text, nullable=False),
        sa.Column("partner_roles", sa.Text, nullable=False),
        sa.Column("period_start", sa.Date),
        sa.Column("period_end", sa.Date),
        sa.Column("school_confirmed", sa.Boolean, nullable=False),
        sa.Column("partner_confirmed", sa.Boolean, nullable=False),
        sa.Column("school_rating", sa.Integer),
        sa.Column("partner_rating", sa.Integer),
        sa.Column("end_reason", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "partnership_messages",
        sa.Column("message_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "partnership_id",
            sa.String(32),
            sa.ForeignKey("partnerships.partnership_id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("author", sa.String(254), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("partnership_messages")
    op.drop_table("partnerships")
    op.drop_table("users")
    for table in ("partners", "schools"):
        with op.batch_alter_table(table) as batch:
            for name, _ in reversed(CONTACTS):
                batch.drop_column(name)
