"""Enumerations stored as their lowercase values."""

from __future__ import annotations

import enum


class PeriodKind(enum.StrEnum):
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"
    HOLIDAYS = "holidays"


class StudentStatus(enum.StrEnum):
    ACTIVE = "active"
    TRANSFERRED = "transferred"
    LEFT = "left"


class GuardianRelation(enum.StrEnum):
    MOTHER = "mother"
    FATHER = "father"
    GUARDIAN = "guardian"
    OTHER = "other"


class StaffRoleKind(enum.StrEnum):
    ADMIN = "admin"
    DEPUTY = "deputy"
    CLASS_TEACHER = "class_teacher"
    SUBJECT_TEACHER = "subject_teacher"
    CLERK = "clerk"
    DIRECTOR = "director"
    INSPECTOR = "inspector"


class LessonStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    REPLACED = "replaced"
    MOVED = "moved"
    CANCELLED = "cancelled"


class AttendanceKind(enum.StrEnum):
    ABSENT = "absent"  # Н: no reason given, counts as unexcused
    ILL = "ill"  # Б
    EXCUSED = "excused"  # УП
    LATE = "late"  # ОП


class FinalMarkKind(enum.StrEnum):
    PERIOD = "period"  # quarter or half-year
    YEAR = "year"
    EXAM = "exam"
    FINAL = "final"


class LinkKind(enum.StrEnum):
    GUARDIAN = "guardian"
    STUDENT = "student"
    STAFF = "staff"


class ConsentDecision(enum.StrEnum):
    GIVEN = "given"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class ComplaintStatus(enum.StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"
    REJECTED = "rejected"


class NotificationStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DROPPED = "dropped"
    HELD = "held"  # refused by Telegram in a way retrying will not fix: for a person to see
