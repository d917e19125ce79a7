"""The diary data model (SQLAlchemy 2, typed), one module per aggregate.

Names follow ../shared/GLOSSARY.md. Every row a journal can send us carries an
`external_id` unique per school, so the journal can re-send it and we update instead of
duplicating. Times are stored in UTC (`timestamptz`); dates are school-local calendar dates.
"""

from services.models.accounts import (
    Account,
    AccountLink,
    CalendarFeed,
    Consent,
    LinkAttempt,
    LinkCode,
)
from services.models.base import NAMING, Base
from services.models.communication import (
    ClassNotice,
    Complaint,
    MessageThread,
    NoticeReceipt,
    OfficeHours,
    Poll,
    PollRecipient,
    PollVote,
    ThreadMessage,
)
from services.models.enums import (
    AttendanceKind,
    ComplaintStatus,
    ConsentDecision,
    FinalMarkKind,
    GuardianRelation,
    LessonStatus,
    LinkKind,
    NotificationStatus,
    PeriodKind,
    StaffRoleKind,
    StudentStatus,
)
from services.models.exchange import ExchangeToken
from services.models.journal import (
    Attendance,
    FinalMark,
    Homework,
    LateEntry,
    Lesson,
    Mark,
    MarkChange,
    WorkType,
)
from services.models.people import (
    ClassGroup,
    CurriculumItem,
    Guardian,
    GuardianStudent,
    Staff,
    StaffRole,
    Student,
    StudentClassHistory,
    Subgroup,
    SubgroupMember,
    Subject,
    TeachingAssignment,
)
from services.models.pushes import (
    AuditLog,
    ForecastSnapshot,
    JobRun,
    Notification,
    NotificationPreference,
)
from services.models.school import (
    AcademicYear,
    BellSlot,
    Period,
    School,
)

__all__ = [
    "NAMING", "AcademicYear", "Account", "AccountLink", "Attendance", "AttendanceKind", "AuditLog",
    "Base", "BellSlot", "CalendarFeed", "ClassGroup", "ClassNotice", "Complaint",
    "ComplaintStatus", "Consent",
    "ConsentDecision", "CurriculumItem", "ExchangeToken", "FinalMark", "FinalMarkKind",
    "ForecastSnapshot", "Guardian", "GuardianRelation", "GuardianStudent", "Homework", "JobRun",
    "LateEntry", "Lesson",
    "LessonStatus", "LinkAttempt", "LinkCode", "LinkKind", "Mark", "MarkChange", "MessageThread",
    "NoticeReceipt", "Notification", "NotificationPreference", "NotificationStatus", "OfficeHours",
    "Period", "PeriodKind", "Poll", "PollRecipient", "PollVote", "School", "Staff", "StaffRole",
    "StaffRoleKind", "Student", "StudentClassHistory", "StudentStatus", "Subgroup",
    "SubgroupMember", "Subject", "TeachingAssignment", "ThreadMessage", "WorkType",
]
