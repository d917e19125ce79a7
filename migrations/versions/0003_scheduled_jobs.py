"""retention: a school's notification retention, tombstoned outbox rows.

Accounts need no new column: `accounts.last_seen_at` already records the last contact
(the account upsert sets it on every update), and retention reads it.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None

# Copied, not imported: a revision must not change when the models do.


def upgrade() -> None:
    op.add_column(
        "schools",
        sa.Column("notification_retention_days", sa.Integer(), server_default="90",
                  nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_schools_notification_retention"), "schools",
        "notification_retention_days BETWEEN 1 AND 3650",
    )
    op.add_column("notifications",
                  sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("notifications", "erased_at")
    op.drop_constraint(op.f("ck_schools_notification_retention"), "schools", type_="check")
    op.drop_column("schools", "notification_retention_days")
