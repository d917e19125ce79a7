"""district indexes: the families' views read only the rows they show at district scale
(10 million marks): a covering index of live marks in the recent-marks order, a subject's
marks with the columns its averages read, homework by class and subject and by student,
the moved lessons by their new date (a class's, a teacher's) and a school's changed
lessons by date.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Scanned backwards for "newest first"; the page's columns ride along (index-only).
    op.create_index("ix_marks_student_live", "marks",
                    ["student_id", "date", "entered_at", "id"],
                    postgresql_include=["subject_id", "work_type_id", "value", "passed",
                                        "weight"],
                    postgresql_where=sa.text("deleted_at IS NULL"))
    # A subject's marks carry what its averages read: the class average is index-only.
    op.drop_index("ix_marks_student_subject_date", table_name="marks")
    op.create_index("ix_marks_student_subject_date", "marks",
                    ["student_id", "subject_id", "date"],
                    postgresql_include=["value", "weight", "deleted_at"])
    op.create_index("ix_homework_class_subject_due", "homework",
                    ["class_id", "subject_id", "due_on"])
    op.create_index("ix_homework_student_due", "homework", ["student_id", "due_on"],
                    postgresql_where=sa.text("student_id IS NOT NULL"))
    op.create_index("ix_lessons_class_moved_to", "lessons", ["class_id", "moved_to_date"],
                    postgresql_where=sa.text("status = 'moved'"))
    op.create_index("ix_lessons_teacher_moved_to", "lessons",
                    ["teacher_id", "moved_to_date"],
                    postgresql_where=sa.text("status = 'moved'"))
    op.create_index("ix_lessons_school_changed", "lessons", ["school_id", "date"],
                    postgresql_where=sa.text("status IN ('replaced', 'moved', 'cancelled')"))


def downgrade() -> None:
    op.drop_index("ix_lessons_school_changed", table_name="lessons")
    op.drop_index("ix_lessons_teacher_moved_to", table_name="lessons")
    op.drop_index("ix_lessons_class_moved_to", table_name="lessons")
    op.drop_index("ix_homework_student_due", table_name="homework")
    op.drop_index("ix_homework_class_subject_due", table_name="homework")
    op.drop_index("ix_marks_student_live", table_name="marks")
    op.drop_index("ix_marks_student_subject_date", table_name="marks")
    op.create_index("ix_marks_student_subject_date", "marks",
                    ["student_id", "subject_id", "date"])
