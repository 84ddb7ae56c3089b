"""Merge the two revisions made beside each other on 0002: the web app's accounts and
partnerships (0003) and the published allocations (0003p).

Revision ID: 0004
Revises: 0003, 0003p
Create Date: 2026-12-01
"""

from __future__ import annotations

revision = "0004"
down_revision = ("0003", "0003p")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
