"""exchange tokens and batch log.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
