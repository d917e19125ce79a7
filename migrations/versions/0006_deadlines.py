"""deadline control: the register taken for a lesson, late entries.

`lessons.attendance_taken_at` says a lesson's attendance was entered even when nobody was
away (no attendance rows); lessons that already have attendance rows get the earliest
row's time. `late_entries` notes current marks and absences that arrived after the 002 §5.2
deadline, with the teacher each counts against.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels = None
depends_on = None

# Copied, not imported: a revision must not change when the models do.


def upgrade() -> None:
    op.add_column("lessons",
                  sa.Column("attendance_taken_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE lessons l SET attendance_taken_at = a.first FROM ("
        " SELECT lesson_id, min(entered_at) AS first FROM attendance GROUP BY lesson_id"
        ") a WHERE a.lesson_id = l.id")
    op.create_table(
        "late_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("mark_id", sa.Integer(), nullable=True),
        sa.Column("attendance_id", sa.Integer(), nullable=True),
        sa.Column("teacher_id", sa.Integer(), nullable=True),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("lesson_date", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('mark', 'absence')", name=op.f("ck_late_entries_kind")),
        sa.CheckConstraint(
            "(kind = 'mark') = (mark_id IS NOT NULL) AND "
            "(kind = 'absence') = (attendance_id IS NOT NULL)",
            name=op.f("ck_late_entries_row"),
        ),
        sa.ForeignKeyConstraint(["attendance_id"], ["attendance.id"],
                                name=op.f("fk_late_entries_attendance_id_attendance"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["class_id"], ["classes.id"],
                                name=op.f("fk_late_entries_class_id_classes"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["mark_id"], ["marks.id"],
                                name=op.f("fk_late_entries_mark_id_marks"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"],
                                name=op.f("fk_late_entries_school_id_schools"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"],
                                name=op.f("fk_late_entries_subject_id_subjects"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["teacher_id"], ["staff.id"],
                                name=op.f("fk_late_entries_teacher_id_staff"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_late_entries")),
        sa.UniqueConstraint("attendance_id", name=op.f("uq_late_entries_attendance_id")),
        sa.UniqueConstraint("mark_id", name=op.f("uq_late_entries_mark_id")),
    )
    op.create_index("ix_late_entries_school_entered", "late_entries",
                    ["school_id", "entered_at"])
    op.create_index(op.f("ix_late_entries_school_id"), "late_entries", ["school_id"])
    op.create_index(op.f("ix_late_entries_teacher_id"), "late_entries", ["teacher_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_late_entries_teacher_id"), table_name="late_entries")
    op.drop_index(op.f("ix_late_entries_school_id"), table_name="late_entries")
    op.drop_index("ix_late_entries_school_entered", table_name="late_entries")
    op.drop_table("late_entries")
    op.drop_column("lessons", "attendance_taken_at")
