"""messages: threads a teacher can mute or block, relayed photos and documents, the chat
that wrote each message (for the flood limit), teachers' office hours, and the index that
finds the push a reply answers.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("message_threads", sa.Column(
        "muted", sa.Boolean(), server_default=sa.text("false"), nullable=False))
    op.add_column("message_threads", sa.Column(
        "blocked_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("message_threads", sa.Column(
        "last_message_at", sa.DateTime(timezone=True), nullable=True))
    op.create_unique_constraint(
        op.f("uq_message_threads_student_id_account_id_staff_id"), "message_threads",
        ["student_id", "account_id", "staff_id"])
    op.add_column("thread_messages", sa.Column("author_account_id", sa.Integer(),
                                               nullable=True))
    op.create_foreign_key(
        op.f("fk_thread_messages_author_account_id_accounts"), "thread_messages", "accounts",
        ["author_account_id"], ["id"], ondelete="SET NULL")
    op.add_column("thread_messages", sa.Column("file_kind", sa.String(length=10),
                                               nullable=True))
    op.add_column("thread_messages", sa.Column("file_id", sa.String(length=200),
                                               nullable=True))
    op.create_table(
        "office_hours",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("starts", sa.Time(), nullable=False),
        sa.Column("ends", sa.Time(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"],
                                name=op.f("fk_office_hours_staff_id_staff"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_office_hours")),
    )
    op.create_index("ix_notifications_chat_message", "notifications",
                    ["chat_id", "telegram_message_id"], unique=False,
                    postgresql_where=sa.text("telegram_message_id IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_notifications_chat_message", table_name="notifications")
    op.drop_table("office_hours")
    op.drop_column("thread_messages", "file_id")
    op.drop_column("thread_messages", "file_kind")
    op.drop_constraint(op.f("fk_thread_messages_author_account_id_accounts"),
                       "thread_messages", type_="foreignkey")
    op.drop_column("thread_messages", "author_account_id")
    op.drop_constraint(op.f("uq_message_threads_student_id_account_id_staff_id"), "message_threads",
                       type_="unique")
    op.drop_column("message_threads", "last_message_at")
    op.drop_column("message_threads", "blocked_at")
    op.drop_column("message_threads", "muted")
