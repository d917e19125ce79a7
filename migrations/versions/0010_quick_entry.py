"""quick entry: a school may let its teachers enter today's register, a lesson's topic and
homework from the bot (off by default); such records say they came from the bot.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels = None
depends_on = None

# Where a record was entered: NULL for the journal (exchange, CLI), "bot" for quick entry.
VIA_TABLES = ("attendance", "homework", "lessons")


def upgrade() -> None:
    op.add_column("schools", sa.Column(
        "quick_entry", sa.Boolean(), server_default=sa.text("false"), nullable=False))
    for table in VIA_TABLES:
        op.add_column(table, sa.Column("entered_via", sa.String(length=10), nullable=True))


def downgrade() -> None:
    for table in reversed(VIA_TABLES):
        op.drop_column(table, "entered_via")
    op.drop_column("schools", "quick_entry")
