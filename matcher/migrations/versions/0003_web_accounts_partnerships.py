"""The web app: contact columns on schools and partners, web accounts, and partnerships
with their messages.

Contacts (``contact_name, phone, email, whatsapp``; docs/files.md) are optional and
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
    # a database made by ``create_all`` while these were being added may have some
    # already: only what is missing is added
    inspector = sa.inspect(op.get_bind())
    for table in ("schools", "partners"):
        have = {c["name"] for c in inspector.get_columns(table)}
        missing = [(n, length) for n, length in CONTACTS if n not in have]
        if missing:
            with op.batch_alter_table(table) as batch:
                for name, length in missing:
                    batch.add_column(sa.Column(name, sa.String(length)))
    tables = set(inspector.get_table_names())
    if "users" not in tables:
        _users()
    if "partnerships" not in tables:
        _partnerships()
    if "partnership_messages" not in tables:
        _messages()


def _users() -> None:
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


def _partnerships() -> None:
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


def _messages() -> None:
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
