"""Baseline: the schools, partners and outcomes tables as matcher 0.2.0 created them.

A database made before migrations existed (by ``create_all``, no ``alembic_version``
table) is stamped with this revision when it is first opened, then upgraded.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schools",
        sa.Column("school_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("ownership", sa.String(16), nullable=False),
        sa.Column("province", sa.String(120), nullable=False),
        sa.Column("regency", sa.String(120), nullable=False),
        sa.Column("district", sa.String(120), nullable=False),
        sa.Column("latitude", sa.Float, nullable=False),
        sa.Column("longitude", sa.Float, nullable=False),
        sa.Column("students", sa.Integer),
        sa.Column("teachers", sa.Integer),
        sa.Column("accreditation", sa.String(8), nullable=False),
        sa.Column("needs", sa.Text, nullable=False),
        sa.Column("offers", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("languages", sa.Text, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_schools_regency", "schools", ["regency"])
    op.create_index("ix_schools_district", "schools", ["district"])
    op.create_table(
        "partners",
        sa.Column("partner_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("sector", sa.String(120), nullable=False),
        sa.Column("province", sa.String(120), nullable=False),
        sa.Column("regency", sa.String(120), nullable=False),
        sa.Column("latitude", sa.Float),
        sa.Column("longitude", sa.Float),
        sa.Column("service_radius_km", sa.Float, nullable=False),
        sa.Column("online", sa.Boolean, nullable=False),
        sa.Column("offers", sa.Text, nullable=False),
        sa.Column("needs", sa.Text, nullable=False),
        sa.Column("levels", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("languages", sa.Text, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "outcomes",
        sa.Column("outcome_id", sa.String(80), primary_key=True),
        sa.Column("school_id", sa.String(64), nullable=False),
        sa.Column("partner_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("school_rating", sa.Integer),
        sa.Column("partner_rating", sa.Integer),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("loaded_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_outcomes_school_id", "outcomes", ["school_id"])
    op.create_index("ix_outcomes_partner_id", "outcomes", ["partner_id"])
    op.create_index("ix_outcomes_recorded_at", "outcomes", ["recorded_at"])


def downgrade() -> None:
    op.drop_table("outcomes")
    op.drop_table("partners")
    op.drop_table("schools")
