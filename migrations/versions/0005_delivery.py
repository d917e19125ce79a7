"""delivery: a `held` notification status for rows Telegram refused for a person to see.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels = None
depends_on = None

# The partial indexes compare `status` with an enum literal; they are rebuilt around the
# type swap on the way down (PostgreSQL cannot remove a value from an enum in place).
_INDEXES = (
    "CREATE INDEX ix_notifications_chat_pending ON notifications (chat_id) "
    "WHERE status = 'pending'",
    "CREATE INDEX ix_notifications_due ON notifications (due_at) WHERE status = 'pending'",
)


def upgrade() -> None:
    op.execute("ALTER TYPE notificationstatus ADD VALUE IF NOT EXISTS 'held'")


def downgrade() -> None:
    # Held rows were never sent: back to pending, where the older code retries them.
    op.execute("UPDATE notifications SET status = 'pending' WHERE status = 'held'")
    op.execute("DROP INDEX ix_notifications_chat_pending")
    op.execute("DROP INDEX ix_notifications_due")
    op.execute("ALTER TYPE notificationstatus RENAME TO notificationstatus_0005")
    op.execute("CREATE TYPE notificationstatus AS ENUM ('pending', 'sent', 'dropped')")
    op.execute("ALTER TABLE notifications ALTER COLUMN status TYPE notificationstatus "
               "USING status::text::notificationstatus")
    op.execute("DROP TYPE notificationstatus_0005")
    for sql in _INDEXES:
        op.execute(sql)
