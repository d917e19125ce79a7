"""diary data model

Revision ID: 0001
Revises:
Create Date: 2026-11-23 12:21:54.658651
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Copied, not imported: a revision must not change when models.py does.
ENUM_TYPES = (
    "attendancekind",
    "complaintstatus",
    "consentdecision",
    "finalmarkkind",
    "guardianrelation",
    "lessonstatus",
    "linkkind",
    "notificationstatus",
    "periodkind",
    "staffrolekind",
    "studentstatus",
)

FIRST_GRADE_TRIGGER_SQL = (
    """
CREATE FUNCTION marks_no_first_grade() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM students s JOIN classes c ON c.id = s.class_id
        WHERE s.id = NEW.student_id AND c.grade = 1
    ) THEN
        RAISE EXCEPTION 'first-grade students get no marks' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql
""",
    """CREATE TRIGGER marks_no_first_grade BEFORE INSERT OR UPDATE OF student_id ON marks
    FOR EACH ROW EXECUTE FUNCTION marks_no_first_grade()""",
    """CREATE TRIGGER final_marks_no_first_grade
    BEFORE INSERT OR UPDATE OF student_id ON final_marks
    FOR EACH ROW EXECUTE FUNCTION marks_no_first_grade()""",
)

DROP_FIRST_GRADE_TRIGGER_SQL = (
    "DROP TRIGGER IF EXISTS final_marks_no_first_grade ON final_marks",
    "DROP TRIGGER IF EXISTS marks_no_first_grade ON marks",
    "DROP FUNCTION IF EXISTS marks_no_first_grade()",
)


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("job", sa.String(length=60), nullable=False),
        sa.Column("run_key", sa.String(length=60), nullable=False),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("job", "run_key", name=op.f("pk_job_runs")),
    )
    op.create_table(
        "link_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column(
            "attempted_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_attempts")),
    )
    op.create_index(
        "ix_link_attempts_chat_time", "link_attempts", ["telegram_id", "attempted_at"], unique=False
    )
    op.create_table(
        "schools",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("rounding_threshold", sa.Numeric(precision=3, scale=2), nullable=False),
        sa.Column("link_code_ttl_hours", sa.Integer(), nullable=False),
        sa.Column("backfill_days", sa.Integer(), nullable=False),
        sa.Column("consent_version", sa.Integer(), nullable=False),
        sa.Column("quiet_start", sa.Time(), nullable=False),
        sa.Column("quiet_end", sa.Time(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "link_code_ttl_hours BETWEEN 1 AND 720", name=op.f("ck_schools_code_ttl")
        ),
        sa.CheckConstraint(
            "rounding_threshold > 0 AND rounding_threshold < 1", name=op.f("ck_schools_rounding")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schools")),
        sa.UniqueConstraint("external_id", name=op.f("uq_schools_external_id")),
    )
    op.create_table(
        "academic_years",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.CheckConstraint("starts_on < ends_on", name=op.f("ck_academic_years_dates")),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_academic_years_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_academic_years")),
        sa.UniqueConstraint("school_id", "name", name=op.f("uq_academic_years_school_id_name")),
    )
    op.create_index(
        op.f("ix_academic_years_school_id"), "academic_years", ["school_id"], unique=False
    )
    op.create_table(
        "bell_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.SmallInteger(), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=False),
        sa.Column("ends_at", sa.Time(), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_bell_slots_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bell_slots")),
        sa.UniqueConstraint("school_id", "slot", name=op.f("uq_bell_slots_school_id_slot")),
    )
    op.create_index(op.f("ix_bell_slots_school_id"), "bell_slots", ["school_id"], unique=False)
    op.create_table(
        "guardians",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("middle_name", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("prefers_paper", sa.Boolean(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_guardians_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guardians")),
        sa.UniqueConstraint("school_id", "external_id", name="uq_guardians_school_external"),
    )
    op.create_index(op.f("ix_guardians_school_id"), "guardians", ["school_id"], unique=False)
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("middle_name", sa.String(length=100), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_staff_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("school_id", "external_id", name="uq_staff_school_external"),
    )
    op.create_index(op.f("ix_staff_school_id"), "staff", ["school_id"], unique=False)
    op.create_table(
        "subjects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("short_name", sa.String(length=30), nullable=False),
        sa.Column("pass_fail", sa.Boolean(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_subjects_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subjects")),
        sa.UniqueConstraint("school_id", "external_id", name="uq_subjects_school_external"),
        sa.UniqueConstraint("school_id", "name", name=op.f("uq_subjects_school_id_name")),
    )
    op.create_index(op.f("ix_subjects_school_id"), "subjects", ["school_id"], unique=False)
    op.create_table(
        "work_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("weight", sa.SmallInteger(), nullable=False),
        sa.Column("is_test", sa.Boolean(), nullable=False),
        sa.CheckConstraint("weight BETWEEN 1 AND 10", name=op.f("ck_work_types_weight")),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_work_types_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_types")),
        sa.UniqueConstraint("school_id", "code", name=op.f("uq_work_types_school_id_code")),
    )
    op.create_index(op.f("ix_work_types_school_id"), "work_types", ["school_id"], unique=False)
    op.create_table(
        "classes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("academic_year_id", sa.Integer(), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.Column("letter", sa.String(length=4), nullable=False),
        sa.Column("name", sa.String(length=10), nullable=False),
        sa.Column("class_teacher_id", sa.Integer(), nullable=True),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint("grade BETWEEN 1 AND 11", name=op.f("ck_classes_grade")),
        sa.ForeignKeyConstraint(
            ["academic_year_id"],
            ["academic_years.id"],
            name=op.f("fk_classes_academic_year_id_academic_years"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["class_teacher_id"],
            ["staff.id"],
            name=op.f("fk_classes_class_teacher_id_staff"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_classes_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classes")),
        sa.UniqueConstraint(
            "school_id",
            "academic_year_id",
            "name",
            name=op.f("uq_classes_school_id_academic_year_id_name"),
        ),
        sa.UniqueConstraint("school_id", "external_id", name="uq_classes_school_external"),
    )
    op.create_index(
        op.f("ix_classes_class_teacher_id"), "classes", ["class_teacher_id"], unique=False
    )
    op.create_index(op.f("ix_classes_school_id"), "classes", ["school_id"], unique=False)
    op.create_table(
        "periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("academic_year_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("quarter", "half_year", "year", "holidays", name="periodkind"),
            nullable=False,
        ),
        sa.Column("number", sa.SmallInteger(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("grade_min", sa.SmallInteger(), nullable=False),
        sa.Column("grade_max", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint(
            "grade_min BETWEEN 1 AND 11 AND grade_max BETWEEN grade_min AND 11",
            name=op.f("ck_periods_grades"),
        ),
        sa.CheckConstraint("starts_on <= ends_on", name=op.f("ck_periods_dates")),
        sa.ForeignKeyConstraint(
            ["academic_year_id"],
            ["academic_years.id"],
            name=op.f("fk_periods_academic_year_id_academic_years"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_periods_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_periods")),
    )
    op.create_index(
        op.f("ix_periods_academic_year_id"), "periods", ["academic_year_id"], unique=False
    )
    op.create_index(
        "ix_periods_school_dates", "periods", ["school_id", "starts_on", "ends_on"], unique=False
    )
    op.create_index(op.f("ix_periods_school_id"), "periods", ["school_id"], unique=False)
    op.create_table(
        "staff_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "deputy",
                "class_teacher",
                "subject_teacher",
                "clerk",
                "director",
                "inspector",
                name="staffrolekind",
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_staff_roles_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_staff_roles_staff_id_staff"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_roles")),
        sa.UniqueConstraint("staff_id", "role", name=op.f("uq_staff_roles_staff_id_role")),
    )
    op.create_index(op.f("ix_staff_roles_school_id"), "staff_roles", ["school_id"], unique=False)
    op.create_index(op.f("ix_staff_roles_staff_id"), "staff_roles", ["staff_id"], unique=False)
    op.create_table(
        "class_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["staff.id"], name=op.f("fk_class_notices_author_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["classes.id"],
            name=op.f("fk_class_notices_class_id_classes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_class_notices_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_class_notices")),
    )
    op.create_index(
        "ix_class_notices_class_time", "class_notices", ["class_id", "created_at"], unique=False
    )
    op.create_index(
        op.f("ix_class_notices_school_id"), "class_notices", ["school_id"], unique=False
    )
    op.create_table(
        "curriculum",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("hours_per_week", sa.Numeric(precision=4, scale=1), nullable=False),
        sa.Column("hours_per_year", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["classes.id"],
            name=op.f("fk_curriculum_class_id_classes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_curriculum_subject_id_subjects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_curriculum")),
        sa.UniqueConstraint(
            "class_id", "subject_id", name=op.f("uq_curriculum_class_id_subject_id")
        ),
    )
    op.create_table(
        "polls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("options", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["staff.id"], name=op.f("fk_polls_author_id_staff")),
        sa.ForeignKeyConstraint(
            ["class_id"], ["classes.id"], name=op.f("fk_polls_class_id_classes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_polls_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_polls")),
    )
    op.create_index(op.f("ix_polls_school_id"), "polls", ["school_id"], unique=False)
    op.create_table(
        "students",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=True),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("middle_name", sa.String(length=100), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column(
            "status", sa.Enum("active", "transferred", "left", name="studentstatus"), nullable=False
        ),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["classes.id"],
            name=op.f("fk_students_class_id_classes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_students_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_students")),
        sa.UniqueConstraint("school_id", "external_id", name="uq_students_school_external"),
    )
    op.create_index(op.f("ix_students_class_id"), "students", ["class_id"], unique=False)
    op.create_index(op.f("ix_students_school_id"), "students", ["school_id"], unique=False)
    op.create_table(
        "subgroups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["classes.id"],
            name=op.f("fk_subgroups_class_id_classes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_subgroups_subject_id_subjects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["teacher_id"],
            ["staff.id"],
            name=op.f("fk_subgroups_teacher_id_staff"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subgroups")),
        sa.UniqueConstraint(
            "class_id", "subject_id", "name", name=op.f("uq_subgroups_class_id_subject_id_name")
        ),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("active_student_id", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["active_student_id"],
            ["students.id"],
            name=op.f("fk_accounts_active_student_id_students"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("telegram_id", name=op.f("uq_accounts_telegram_id")),
    )
    op.create_table(
        "final_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind", sa.Enum("period", "year", "exam", "final", name="finalmarkkind"), nullable=False
        ),
        sa.Column("value", sa.SmallInteger(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("postponed", sa.Boolean(), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "entered_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "(postponed AND value IS NULL AND passed IS NULL)"
            " OR (NOT postponed AND (value IS NULL) <> (passed IS NULL))",
            name=op.f("ck_final_marks_value_or_postponed"),
        ),
        sa.CheckConstraint("value BETWEEN 1 AND 5", name=op.f("ck_final_marks_value_range")),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["staff.id"], name=op.f("fk_final_marks_entered_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["periods.id"],
            name=op.f("fk_final_marks_period_id_periods"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_final_marks_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_final_marks_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_final_marks_subject_id_subjects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_final_marks")),
        sa.UniqueConstraint("school_id", "external_id", name="uq_final_marks_school_external"),
        sa.UniqueConstraint(
            "student_id",
            "subject_id",
            "period_id",
            "kind",
            name=op.f("uq_final_marks_student_id_subject_id_period_id_kind"),
        ),
    )
    op.create_index(op.f("ix_final_marks_school_id"), "final_marks", ["school_id"], unique=False)
    op.create_table(
        "forecast_snapshots",
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("average", sa.Numeric(precision=4, scale=2), nullable=False),
        sa.Column("forecast", sa.SmallInteger(), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["periods.id"],
            name=op.f("fk_forecast_snapshots_period_id_periods"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_forecast_snapshots_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_forecast_snapshots_subject_id_subjects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "student_id", "subject_id", "period_id", name=op.f("pk_forecast_snapshots")
        ),
    )
    op.create_table(
        "guardian_students",
        sa.Column("guardian_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column(
            "relation",
            sa.Enum("mother", "father", "guardian", "other", name="guardianrelation"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["guardian_id"],
            ["guardians.id"],
            name=op.f("fk_guardian_students_guardian_id_guardians"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_guardian_students_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("guardian_id", "student_id", name=op.f("pk_guardian_students")),
    )
    op.create_index(
        op.f("ix_guardian_students_student_id"), "guardian_students", ["student_id"], unique=False
    )
    op.create_table(
        "lessons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("subgroup_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("substitute_id", sa.Integer(), nullable=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("slot", sa.SmallInteger(), nullable=False),
        sa.Column("room", sa.String(length=20), nullable=True),
        sa.Column("topic", sa.Text(), nullable=True),
        sa.Column("material", sa.Text(), nullable=True),
        sa.Column("planned_work_type_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("scheduled", "held", "replaced", "moved", "cancelled", name="lessonstatus"),
            nullable=False,
        ),
        sa.Column("moved_to_date", sa.Date(), nullable=True),
        sa.Column("moved_to_slot", sa.SmallInteger(), nullable=True),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status <> 'replaced' OR substitute_id IS NOT NULL", name=op.f("ck_lessons_substitute")
        ),
        sa.CheckConstraint("slot BETWEEN 0 AND 12", name=op.f("ck_lessons_slot")),
        sa.ForeignKeyConstraint(
            ["planned_work_type_id"],
            ["work_types.id"],
            name=op.f("fk_lessons_planned_work_type_id_work_types"),
        ),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["classes.id"],
            name=op.f("fk_lessons_class_id_classes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_lessons_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subgroup_id"],
            ["subgroups.id"],
            name=op.f("fk_lessons_subgroup_id_subgroups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_lessons_subject_id_subjects")
        ),
        sa.ForeignKeyConstraint(
            ["substitute_id"], ["staff.id"], name=op.f("fk_lessons_substitute_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["teacher_id"], ["staff.id"], name=op.f("fk_lessons_teacher_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lessons")),
        sa.UniqueConstraint("school_id", "external_id", name="uq_lessons_school_external"),
    )
    op.create_index("ix_lessons_class_date", "lessons", ["class_id", "date", "slot"], unique=False)
    op.create_index(
        "ix_lessons_class_subject_date", "lessons", ["class_id", "subject_id", "date"], unique=False
    )
    op.create_index(op.f("ix_lessons_school_id"), "lessons", ["school_id"], unique=False)
    op.create_index(
        "ix_lessons_substitute_date",
        "lessons",
        ["substitute_id", "date"],
        unique=False,
        postgresql_where=sa.text("substitute_id IS NOT NULL"),
    )
    op.create_index("ix_lessons_teacher_date", "lessons", ["teacher_id", "date"], unique=False)
    op.create_table(
        "student_class_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("to_date", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["classes.id"],
            name=op.f("fk_student_class_history_class_id_classes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_student_class_history_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_student_class_history")),
    )
    op.create_index(
        op.f("ix_student_class_history_student_id"),
        "student_class_history",
        ["student_id"],
        unique=False,
    )
    op.create_table(
        "subgroup_members",
        sa.Column("subgroup_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_subgroup_members_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subgroup_id"],
            ["subgroups.id"],
            name=op.f("fk_subgroup_members_subgroup_id_subgroups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("subgroup_id", "student_id", name=op.f("pk_subgroup_members")),
    )
    op.create_index(
        op.f("ix_subgroup_members_student_id"), "subgroup_members", ["student_id"], unique=False
    )
    op.create_table(
        "teaching_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("subgroup_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["classes.id"],
            name=op.f("fk_teaching_assignments_class_id_classes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_teaching_assignments_staff_id_staff"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subgroup_id"],
            ["subgroups.id"],
            name=op.f("fk_teaching_assignments_subgroup_id_subgroups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_teaching_assignments_subject_id_subjects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teaching_assignments")),
        sa.UniqueConstraint(
            "staff_id",
            "class_id",
            "subject_id",
            "subgroup_id",
            name=op.f("uq_teaching_assignments_staff_id_class_id_subject_id_subgroup_id"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_index(
        op.f("ix_teaching_assignments_class_id"), "teaching_assignments", ["class_id"], unique=False
    )
    op.create_index(
        op.f("ix_teaching_assignments_staff_id"), "teaching_assignments", ["staff_id"], unique=False
    )
    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("absent", "ill", "excused", "late", name="attendancekind"),
            nullable=False,
        ),
        sa.Column("minutes_late", sa.SmallInteger(), nullable=True),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "entered_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["staff.id"], name=op.f("fk_attendance_entered_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["lessons.id"],
            name=op.f("fk_attendance_lesson_id_lessons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_attendance_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_attendance_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
        sa.UniqueConstraint("school_id", "external_id", name="uq_attendance_school_external"),
        sa.UniqueConstraint(
            "student_id", "lesson_id", name=op.f("uq_attendance_student_id_lesson_id")
        ),
    )
    op.create_index("ix_attendance_lesson", "attendance", ["lesson_id"], unique=False)
    op.create_index(op.f("ix_attendance_school_id"), "attendance", ["school_id"], unique=False)
    op.create_index(
        "ix_attendance_student_date", "attendance", ["student_id", "date"], unique=False
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_audit_log_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_audit_log_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_audit_log_staff_id_staff"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_audit_log_student_id_students"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_action_time", "audit_log", ["action", "at"], unique=False)
    op.create_index("ix_audit_log_student_time", "audit_log", ["student_id", "at"], unique=False)
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("new", "in_progress", "answered", "closed", name="complaintstatus"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_complaints_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["staff.id"], name=op.f("fk_complaints_answered_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_complaints_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_complaints_student_id_students"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
    )
    op.create_index(op.f("ix_complaints_school_id"), "complaints", ["school_id"], unique=False)
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("guardian_id", sa.Integer(), nullable=True),
        sa.Column(
            "decision",
            sa.Enum("given", "refused", "withdrawn", name="consentdecision"),
            nullable=False,
        ),
        sa.Column("text_version", sa.Integer(), nullable=False),
        sa.Column(
            "decided_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_consents_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["guardian_id"],
            ["guardians.id"],
            name=op.f("fk_consents_guardian_id_guardians"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_consents_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    op.create_index(
        "ix_consents_account_student", "consents", ["account_id", "student_id"], unique=False
    )
    op.create_table(
        "homework",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("subgroup_id", sa.Integer(), nullable=True),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=True),
        sa.Column("teacher_id", sa.Integer(), nullable=True),
        sa.Column("assigned_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("assigned_on <= due_on", name=op.f("ck_homework_dates")),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["classes.id"],
            name=op.f("fk_homework_class_id_classes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["lessons.id"],
            name=op.f("fk_homework_lesson_id_lessons"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_homework_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_homework_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subgroup_id"],
            ["subgroups.id"],
            name=op.f("fk_homework_subgroup_id_subgroups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_homework_subject_id_subjects")
        ),
        sa.ForeignKeyConstraint(
            ["teacher_id"], ["staff.id"], name=op.f("fk_homework_teacher_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_homework")),
        sa.UniqueConstraint("school_id", "external_id", name="uq_homework_school_external"),
    )
    op.create_index("ix_homework_class_due", "homework", ["class_id", "due_on"], unique=False)
    op.create_index(op.f("ix_homework_school_id"), "homework", ["school_id"], unique=False)
    op.create_index(op.f("ix_homework_student_id"), "homework", ["student_id"], unique=False)
    op.create_table(
        "link_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.Enum("guardian", "student", "staff", name="linkkind"), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("guardian_id", sa.Integer(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "issued_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by_account_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(kind = 'staff') = (staff_id IS NOT NULL) AND (kind = 'staff') = (student_id IS NULL)",
            name=op.f("ck_link_codes_target"),
        ),
        sa.ForeignKeyConstraint(
            ["guardian_id"],
            ["guardians.id"],
            name=op.f("fk_link_codes_guardian_id_guardians"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["staff.id"], name=op.f("fk_link_codes_issued_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_link_codes_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_link_codes_staff_id_staff"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_link_codes_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["used_by_account_id"],
            ["accounts.id"],
            name=op.f("fk_link_codes_used_by_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_link_codes_code_hash")),
    )
    op.create_index(op.f("ix_link_codes_school_id"), "link_codes", ["school_id"], unique=False)
    op.create_index(op.f("ix_link_codes_student_id"), "link_codes", ["student_id"], unique=False)
    op.create_table(
        "marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=True),
        sa.Column("work_type_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("value", sa.SmallInteger(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("weight", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "entered_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("external_id", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "(value IS NULL) <> (passed IS NULL)", name=op.f("ck_marks_value_or_pass")
        ),
        sa.CheckConstraint("value BETWEEN 1 AND 5", name=op.f("ck_marks_value_range")),
        sa.CheckConstraint("weight BETWEEN 1 AND 10", name=op.f("ck_marks_weight")),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["staff.id"], name=op.f("fk_marks_entered_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["lessons.id"],
            name=op.f("fk_marks_lesson_id_lessons"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_marks_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_marks_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"], ["subjects.id"], name=op.f("fk_marks_subject_id_subjects")
        ),
        sa.ForeignKeyConstraint(
            ["work_type_id"], ["work_types.id"], name=op.f("fk_marks_work_type_id_work_types")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marks")),
        sa.UniqueConstraint("school_id", "external_id", name="uq_marks_school_external"),
    )
    op.create_index("ix_marks_lesson", "marks", ["lesson_id"], unique=False)
    op.create_index(op.f("ix_marks_school_id"), "marks", ["school_id"], unique=False)
    op.create_index("ix_marks_student_date", "marks", ["student_id", "date"], unique=False)
    op.create_index(
        "ix_marks_student_subject_date", "marks", ["student_id", "subject_id", "date"], unique=False
    )
    op.create_table(
        "message_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_message_threads_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_message_threads_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_message_threads_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_message_threads_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_threads")),
    )
    op.create_index(
        op.f("ix_message_threads_school_id"), "message_threads", ["school_id"], unique=False
    )
    op.create_index(
        op.f("ix_message_threads_staff_id"), "message_threads", ["staff_id"], unique=False
    )
    op.create_table(
        "notification_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("digest_time", sa.Time(), nullable=False),
        sa.Column("quiet_start", sa.Time(), nullable=True),
        sa.Column("quiet_end", sa.Time(), nullable=True),
        sa.Column("muted_kinds", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("muted_subject_ids", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("hide_values", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_notification_preferences_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_notification_preferences_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preferences")),
        sa.UniqueConstraint(
            "account_id",
            "student_id",
            name=op.f("uq_notification_preferences_account_id_student_id"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column(
            "event_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column(
            "due_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column(
            "status",
            sa.Enum("pending", "sent", "dropped", name="notificationstatus"),
            nullable=False,
        ),
        sa.Column("attempts", sa.SmallInteger(), nullable=False),
        sa.Column("batch_id", sa.String(length=40), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_by", sa.String(length=60), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("telegram_message_id", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_notifications_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_notifications_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["subjects.id"],
            name=op.f("fk_notifications_subject_id_subjects"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_notifications_dedupe_key")),
    )
    op.create_index(op.f("ix_notifications_batch_id"), "notifications", ["batch_id"], unique=False)
    op.create_index(
        "ix_notifications_chat_pending",
        "notifications",
        ["chat_id"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "ix_notifications_due",
        "notifications",
        ["due_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "poll_votes",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("option", sa.SmallInteger(), nullable=False),
        sa.Column(
            "voted_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_poll_votes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["polls.id"], name=op.f("fk_poll_votes_poll_id_polls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("poll_id", "account_id", name=op.f("pk_poll_votes")),
    )
    op.create_table(
        "account_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("guardian", "student", "staff", name="linkkind"), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("student_id", sa.Integer(), nullable=True),
        sa.Column("guardian_id", sa.Integer(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("link_code_id", sa.Integer(), nullable=True),
        sa.Column("consent_pending", sa.Boolean(), nullable=False),
        sa.Column(
            "linked_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoke_reason", sa.String(length=40), nullable=True),
        sa.CheckConstraint(
            "(kind = 'staff') = (staff_id IS NOT NULL) AND (kind = 'staff') = (student_id IS NULL)",
            name=op.f("ck_account_links_target"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_links_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["guardian_id"],
            ["guardians.id"],
            name=op.f("fk_account_links_guardian_id_guardians"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["link_code_id"],
            ["link_codes.id"],
            name=op.f("fk_account_links_link_code_id_link_codes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["schools.id"],
            name=op.f("fk_account_links_school_id_schools"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_account_links_staff_id_staff"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["student_id"],
            ["students.id"],
            name=op.f("fk_account_links_student_id_students"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_links")),
    )
    op.create_index(
        op.f("ix_account_links_account_id"), "account_links", ["account_id"], unique=False
    )
    op.create_index(
        op.f("ix_account_links_school_id"), "account_links", ["school_id"], unique=False
    )
    op.create_index(
        op.f("ix_account_links_student_id"), "account_links", ["student_id"], unique=False
    )
    op.create_index(
        "uq_account_links_live",
        "account_links",
        ["account_id", "kind", "student_id", "staff_id"],
        unique=True,
        postgresql_where=sa.text("revoked_at IS NULL"),
        postgresql_nulls_not_distinct=True,
    )
    op.create_table(
        "mark_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mark_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("old_value", sa.SmallInteger(), nullable=True),
        sa.Column("new_value", sa.SmallInteger(), nullable=True),
        sa.Column("old_passed", sa.Boolean(), nullable=True),
        sa.Column("new_passed", sa.Boolean(), nullable=True),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["staff.id"], name=op.f("fk_mark_changes_changed_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["mark_id"],
            ["marks.id"],
            name=op.f("fk_mark_changes_mark_id_marks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mark_changes")),
    )
    op.create_index(op.f("ix_mark_changes_mark_id"), "mark_changes", ["mark_id"], unique=False)
    op.create_table(
        "thread_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("from_staff", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "sent_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["message_threads.id"],
            name=op.f("fk_thread_messages_thread_id_message_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thread_messages")),
    )
    op.create_index(
        op.f("ix_thread_messages_thread_id"), "thread_messages", ["thread_id"], unique=False
    )

    for statement in FIRST_GRADE_TRIGGER_SQL:
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_FIRST_GRADE_TRIGGER_SQL:
        op.execute(statement)
    op.drop_index(op.f("ix_thread_messages_thread_id"), table_name="thread_messages")
    op.drop_table("thread_messages")
    op.drop_index(op.f("ix_mark_changes_mark_id"), table_name="mark_changes")
    op.drop_table("mark_changes")
    op.drop_index(
        "uq_account_links_live",
        table_name="account_links",
        postgresql_where=sa.text("revoked_at IS NULL"),
        postgresql_nulls_not_distinct=True,
    )
    op.drop_index(op.f("ix_account_links_student_id"), table_name="account_links")
    op.drop_index(op.f("ix_account_links_school_id"), table_name="account_links")
    op.drop_index(op.f("ix_account_links_account_id"), table_name="account_links")
    op.drop_table("account_links")
    op.drop_table("poll_votes")
    op.drop_index(
        "ix_notifications_due",
        table_name="notifications",
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.drop_index(
        "ix_notifications_chat_pending",
        table_name="notifications",
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.drop_index(op.f("ix_notifications_batch_id"), table_name="notifications")
    op.drop_table("notifications")
    op.drop_table("notification_preferences")
    op.drop_index(op.f("ix_message_threads_staff_id"), table_name="message_threads")
    op.drop_index(op.f("ix_message_threads_school_id"), table_name="message_threads")
    op.drop_table("message_threads")
    op.drop_index("ix_marks_student_subject_date", table_name="marks")
    op.drop_index("ix_marks_student_date", table_name="marks")
    op.drop_index(op.f("ix_marks_school_id"), table_name="marks")
    op.drop_index("ix_marks_lesson", table_name="marks")
    op.drop_table("marks")
    op.drop_index(op.f("ix_link_codes_student_id"), table_name="link_codes")
    op.drop_index(op.f("ix_link_codes_school_id"), table_name="link_codes")
    op.drop_table("link_codes")
    op.drop_index(op.f("ix_homework_student_id"), table_name="homework")
    op.drop_index(op.f("ix_homework_school_id"), table_name="homework")
    op.drop_index("ix_homework_class_due", table_name="homework")
    op.drop_table("homework")
    op.drop_index("ix_consents_account_student", table_name="consents")
    op.drop_table("consents")
    op.drop_index(op.f("ix_complaints_school_id"), table_name="complaints")
    op.drop_table("complaints")
    op.drop_index("ix_audit_log_student_time", table_name="audit_log")
    op.drop_index("ix_audit_log_action_time", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_attendance_student_date", table_name="attendance")
    op.drop_index(op.f("ix_attendance_school_id"), table_name="attendance")
    op.drop_index("ix_attendance_lesson", table_name="attendance")
    op.drop_table("attendance")
    op.drop_index(op.f("ix_teaching_assignments_staff_id"), table_name="teaching_assignments")
    op.drop_index(op.f("ix_teaching_assignments_class_id"), table_name="teaching_assignments")
    op.drop_table("teaching_assignments")
    op.drop_index(op.f("ix_subgroup_members_student_id"), table_name="subgroup_members")
    op.drop_table("subgroup_members")
    op.drop_index(op.f("ix_student_class_history_student_id"), table_name="student_class_history")
    op.drop_table("student_class_history")
    op.drop_index("ix_lessons_teacher_date", table_name="lessons")
    op.drop_index(
        "ix_lessons_substitute_date",
        table_name="lessons",
        postgresql_where=sa.text("substitute_id IS NOT NULL"),
    )
    op.drop_index(op.f("ix_lessons_school_id"), table_name="lessons")
    op.drop_index("ix_lessons_class_subject_date", table_name="lessons")
    op.drop_index("ix_lessons_class_date", table_name="lessons")
    op.drop_table("lessons")
    op.drop_index(op.f("ix_guardian_students_student_id"), table_name="guardian_students")
    op.drop_table("guardian_students")
    op.drop_table("forecast_snapshots")
    op.drop_index(op.f("ix_final_marks_school_id"), table_name="final_marks")
    op.drop_table("final_marks")
    op.drop_table("accounts")
    op.drop_table("subgroups")
    op.drop_index(op.f("ix_students_school_id"), table_name="students")
    op.drop_index(op.f("ix_students_class_id"), table_name="students")
    op.drop_table("students")
    op.drop_index(op.f("ix_polls_school_id"), table_name="polls")
    op.drop_table("polls")
    op.drop_table("curriculum")
    op.drop_index(op.f("ix_class_notices_school_id"), table_name="class_notices")
    op.drop_index("ix_class_notices_class_time", table_name="class_notices")
    op.drop_table("class_notices")
    op.drop_index(op.f("ix_staff_roles_staff_id"), table_name="staff_roles")
    op.drop_index(op.f("ix_staff_roles_school_id"), table_name="staff_roles")
    op.drop_table("staff_roles")
    op.drop_index(op.f("ix_periods_school_id"), table_name="periods")
    op.drop_index("ix_periods_school_dates", table_name="periods")
    op.drop_index(op.f("ix_periods_academic_year_id"), table_name="periods")
    op.drop_table("periods")
    op.drop_index(op.f("ix_classes_school_id"), table_name="classes")
    op.drop_index(op.f("ix_classes_class_teacher_id"), table_name="classes")
    op.drop_table("classes")
    op.drop_index(op.f("ix_work_types_school_id"), table_name="work_types")
    op.drop_table("work_types")
    op.drop_index(op.f("ix_subjects_school_id"), table_name="subjects")
    op.drop_table("subjects")
    op.drop_index(op.f("ix_staff_school_id"), table_name="staff")
    op.drop_table("staff")
    op.drop_index(op.f("ix_guardians_school_id"), table_name="guardians")
    op.drop_table("guardians")
    op.drop_index(op.f("ix_bell_slots_school_id"), table_name="bell_slots")
    op.drop_table("bell_slots")
    op.drop_index(op.f("ix_academic_years_school_id"), table_name="academic_years")
    op.drop_table("academic_years")
    op.drop_table("schools")
    op.drop_index("ix_link_attempts_chat_time", table_name="link_attempts")
    op.drop_table("link_attempts")
    op.drop_table("job_runs")
    for name in ENUM_TYPES:
        op.execute(f"DROP TYPE IF EXISTS {name}")
