"""Published allocations: the audit record of each (who, when, settings, data, model).

Revision ID: 0003p
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003p"  # not "0003": the web app's accounts revision may take that id
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "publications" in sa.inspect(op.get_bind()).get_table_names():
        return  # made by an earlier build of this revision's code (create on first use)
    op.create_table(
        "publications",
        sa.Column("publication_id", sa.String(40), primary_key=True),
        sa.Column("scope", sa.String(200), nullable=False),
        sa.Column("published_by", sa.String(200), nullable=False),
        sa.Column("published_at", sa.DateTime, nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("settings", sa.Text, nullable=False),
        sa.Column("data_fingerprint", sa.String(64), nullable=False),
        sa.Column("fingerprint_after", sa.String(64), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("proposed", sa.Integer, nullable=False),
        sa.Column("skipped", sa.Integer, nullable=False),
        sa.Column("pairs", sa.Text, nullable=False),
    )
    op.create_index("ix_publications_scope", "publications", ["scope"])


def downgrade() -> None:
    op.drop_index("ix_publications_scope", table_name="publications")
    op.drop_table("publications")
