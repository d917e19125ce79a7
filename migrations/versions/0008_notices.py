"""notices: class notices with an audience, a subgroup, urgency and reminders; one receipt
per recipient account, which the acknowledgement button fills in. Complaints: a category,
who took one, a `rejected` status, the day it was last escalated; the school's answer
deadline in working days. Polls: audience, multiple choice, anonymity, closing; their
recipients; a vote row per chosen option.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("class_notices", sa.Column("audience", sa.String(length=10),
                                             server_default="both", nullable=False))
    op.add_column("class_notices", sa.Column("subgroup_id", sa.Integer(), nullable=True))
    op.add_column("class_notices", sa.Column("urgent", sa.Boolean(),
                                             server_default=sa.false(), nullable=False))
    op.add_column("class_notices", sa.Column("reminded_at", sa.DateTime(timezone=True),
                                             nullable=True))
    op.add_column("class_notices", sa.Column("attachment_kind", sa.String(length=10),
                                             nullable=True))
    op.add_column("class_notices", sa.Column("attachment_file_id", sa.String(length=200),
                                             nullable=True))
    op.create_foreign_key(op.f("fk_class_notices_subgroup_id_subgroups"), "class_notices",
                          "subgroups", ["subgroup_id"], ["id"], ondelete="SET NULL")
    op.create_check_constraint(op.f("ck_class_notices_audience"), "class_notices",
                               "audience IN ('guardians', 'students', 'both')")
    op.create_table(
        "notice_receipts",
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["notice_id"], ["class_notices.id"],
                                name=op.f("fk_notice_receipts_notice_id_class_notices"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_notice_receipts_account_id_accounts"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["student_id"], ["students.id"],
                                name=op.f("fk_notice_receipts_student_id_students"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("notice_id", "account_id", name=op.f("pk_notice_receipts")),
    )
    op.create_index(op.f("ix_notice_receipts_account_id"), "notice_receipts", ["account_id"],
                    unique=False)


    op.execute("ALTER TYPE complaintstatus ADD VALUE IF NOT EXISTS 'rejected'")
    op.add_column("complaints", sa.Column("category", sa.String(length=20),
                                          server_default="other", nullable=False))
    op.add_column("complaints", sa.Column("taken_by_id", sa.Integer(), nullable=True))
    op.add_column("complaints", sa.Column("escalated_on", sa.Date(), nullable=True))
    op.add_column("complaints", sa.Column("attachment_kind", sa.String(length=10),
                                          nullable=True))
    op.add_column("complaints", sa.Column("attachment_file_id", sa.String(length=200),
                                          nullable=True))
    op.create_foreign_key(op.f("fk_complaints_taken_by_id_staff"), "complaints", "staff",
                          ["taken_by_id"], ["id"])
    op.create_index("ix_complaints_school_status", "complaints", ["school_id", "status"],
                    unique=False)
    op.add_column("schools", sa.Column("complaint_days", sa.Integer(), server_default="15",
                                       nullable=False))

    for column in (
        sa.Column("audience", sa.String(length=10), server_default="both", nullable=False),
        sa.Column("multiple", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    ):
        op.add_column("polls", column)
    op.drop_constraint(op.f("pk_poll_votes"), "poll_votes", type_="primary")
    op.create_primary_key(op.f("pk_poll_votes"), "poll_votes",
                          ["poll_id", "account_id", "option"])
    op.create_table(
        "poll_recipients",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["poll_id"], ["polls.id"],
                                name=op.f("fk_poll_recipients_poll_id_polls"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_poll_recipients_account_id_accounts"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["student_id"], ["students.id"],
                                name=op.f("fk_poll_recipients_student_id_students"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("poll_id", "account_id", name=op.f("pk_poll_recipients")),
    )


def downgrade() -> None:
    op.drop_table("poll_recipients")
    # One option per account, as the older schema holds: the lowest one stays.
    op.execute("DELETE FROM poll_votes v USING poll_votes w WHERE v.poll_id = w.poll_id "
               "AND v.account_id = w.account_id AND v.option > w.option")
    op.drop_constraint(op.f("pk_poll_votes"), "poll_votes", type_="primary")
    op.create_primary_key(op.f("pk_poll_votes"), "poll_votes", ["poll_id", "account_id"])
    for column in ("closed_at", "anonymous", "multiple", "audience"):
        op.drop_column("polls", column)
    op.drop_column("schools", "complaint_days")
    op.drop_index("ix_complaints_school_status", table_name="complaints")
    op.drop_constraint(op.f("fk_complaints_taken_by_id_staff"), "complaints",
                       type_="foreignkey")
    for column in ("attachment_file_id", "attachment_kind", "escalated_on", "taken_by_id",
                   "category"):
        op.drop_column("complaints", column)
    # A rejected complaint reads as closed to the older code (PostgreSQL cannot drop an
    # enum value in place: the type is swapped).
    op.execute("UPDATE complaints SET status = 'closed' WHERE status = 'rejected'")
    op.execute("ALTER TYPE complaintstatus RENAME TO complaintstatus_0008")
    op.execute("CREATE TYPE complaintstatus AS ENUM "
               "('new', 'in_progress', 'answered', 'closed')")
    op.execute("ALTER TABLE complaints ALTER COLUMN status TYPE complaintstatus "
               "USING status::text::complaintstatus")
    op.execute("DROP TYPE complaintstatus_0008")
    op.drop_index(op.f("ix_notice_receipts_account_id"), table_name="notice_receipts")
    op.drop_table("notice_receipts")
    op.drop_constraint(op.f("ck_class_notices_audience"), "class_notices", type_="check")
    op.drop_constraint(op.f("fk_class_notices_subgroup_id_subgroups"), "class_notices",
                       type_="foreignkey")
    for column in ("attachment_file_id", "attachment_kind", "reminded_at", "urgent",
                   "subgroup_id", "audience"):
        op.drop_column("class_notices", column)
