"""Typed push events: one frozen dataclass per push kind (their payload form:
services/push_event_base.py).

Producers (services.journal, services.offboarding, the exchange, the scheduled jobs) build
an event and hand it to services.notifications inside a `Push`; the outbox stores
`event.to_payload()`; the delivery queue reads rows back with `decode(kind, payload)`, and
the composer (screens.pushes) renders events, never dicts. A payload type nobody knows
becomes an `UnknownEvent`, which the composer shows as a generic "something changed" line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from services.push_event_base import (
    ENVELOPE_KEYS,
    VERSION_KEY,
    PushEvent,
    UnreadablePayload,
)
from services.push_event_base import stored_as as _key

__all__ = ["ENVELOPE_KEYS", "VERSION_KEY", "PushEvent", "UnreadablePayload", "decode"]


@dataclass(frozen=True)
class MarkEvent(PushEvent):
    """A current mark was added, changed (old → new) or deleted (the deleted value)."""

    KIND = "marks"
    TYPES = ("mark_added", "mark_changed", "mark_deleted")
    type: str
    subject: str
    work_type: str
    weight: int
    date: dt.date | None
    value: int | None = None
    passed: bool | None = None
    old_value: int | None = None
    old_passed: bool | None = None
    student: str = ""


@dataclass(frozen=True)
class FinalMarkEvent(PushEvent):
    """A period, year, exam or final mark, or a postponed attestation; `old_*` on a change."""

    KIND = "final"
    TYPES = ("final_mark",)
    subject: str
    period: str
    final_kind: str  # period / year / exam / final
    value: int | None = None
    passed: bool | None = None
    postponed: bool = False
    old_value: int | None = None
    old_passed: bool | None = None
    student: str = ""


@dataclass(frozen=True)
class LessonChangeEvent(PushEvent):
    """A lesson replaced (the substitute), moved (the new day and slot) or cancelled."""

    KIND = "timetable"
    TYPES = ("lesson_replaced", "lesson_moved", "lesson_cancelled")
    type: str
    subject: str
    date: dt.date | None
    slot: int
    teacher: str | None = None
    new_date: dt.date | None = None
    new_slot: int | None = None
    student: str = ""


@dataclass(frozen=True)
class AbsenceEvent(PushEvent):
    """A student marked absent, ill, excused or late in a lesson (002 §2: word on
    attendance as timely as on marks)."""

    KIND = "absence"
    TYPES = ("absence",)
    attendance: str  # absent / ill / excused / late
    subject: str
    date: dt.date | None
    slot: int
    student: str = ""


@dataclass(frozen=True)
class HomeworkEvent(PushEvent):
    KIND = "homework"
    TYPES = ("homework_new", "homework_changed")
    type: str
    subject: str
    due_on: dt.date | None
    text: str
    student: str = ""


@dataclass(frozen=True)
class HomeworkItem:
    subject: str
    text: str


@dataclass(frozen=True)
class HomeworkTomorrowEvent(PushEvent):
    """The evening before: everything due tomorrow, to the student."""

    KIND = "homework"
    TYPES = ("homework_tomorrow",)
    due_on: dt.date | None
    items: tuple[HomeworkItem, ...]
    student: str = ""


@dataclass(frozen=True)
class ForecastCause:
    """The mark change that moved a forecast."""

    action: str  # created / updated / deleted
    value: int | None = None
    passed: bool | None = None
    old_value: int | None = None
    date: dt.date | None = None
    today: bool = False


@dataclass(frozen=True)
class ForecastChangeEvent(PushEvent):
    KIND = "forecast"
    TYPES = ("forecast_changed",)
    subject: str
    period: str
    old: int
    new: int
    average: float
    cause: ForecastCause
    need: int | None = None
    target: int | None = None  # the forecast lost, when it went down
    student: str = ""


@dataclass(frozen=True)
class WeeklyItem:
    subject: str
    average: float
    forecast: int | None
    need: int | None = None
    target: int | None = None


@dataclass(frozen=True)
class ForecastWeeklyEvent(PushEvent):
    KIND = "forecast"
    TYPES = ("forecast_weekly",)
    period: str
    items: tuple[WeeklyItem, ...]
    student: str = ""


@dataclass(frozen=True)
class RiskItem:
    subject: str
    average: float
    forecast: int | None
    previous: int | None = None


@dataclass(frozen=True)
class ForecastRiskEvent(PushEvent):
    KIND = "forecast"
    TYPES = ("forecast_risk",)
    period: str
    ends_on: dt.date | None
    items: tuple[RiskItem, ...]
    student: str = ""


@dataclass(frozen=True)
class AccessEndedEvent(PushEvent):
    """The chat's access to a child ended; `reason` picks the explanation."""

    KIND = "access"
    TYPES = ("access_ended",)
    reason: str
    student: str = ""


@dataclass(frozen=True)
class NoticeEvent(PushEvent):
    """Free text from the school: a notice, a message or a complaint's answer."""

    TYPES = ("notice", "message", "complaint")
    type: str
    text: str
    author: str | None = _key("from", default=None)

    @property
    def kind(self) -> str:
        return self.type


@dataclass(frozen=True)
class ThreadMessageEvent(PushEvent):
    """One message of a family–teacher thread, relayed as a message of its own (a reply to
    it answers the thread). `sender` is "staff", "guardian" or "student"; `author` names a
    teacher (a family sender is named by the child: `student`). A photo or document goes
    by Telegram's `file_id`. Nobody's Telegram account is in it."""

    KIND = "message"
    TYPES = ("thread_message",)
    thread_id: int
    message_id: int
    sender: str
    text: str
    author: str = ""
    file_kind: str = ""  # "", "photo" or "document"
    file_id: str = ""
    student: str = ""


@dataclass(frozen=True)
class ClassNoticeEvent(PushEvent):
    """A class notice, or the reminder of one not yet acknowledged. Its push carries the
    acknowledgement button for `notice_id`; muting "notices" mutes it unless urgent."""

    KIND = "notice"
    TYPES = ("class_notice", "notice_reminder")
    type: str
    notice_id: int
    text: str
    author: str | None = _key("from", default=None)
    klass: str = _key("class", default="")
    media: str = ""  # "photo" or "document" sent along, by `file_id`
    file_id: str = ""


@dataclass(frozen=True)
class ComplaintEvent(PushEvent):
    """A complaint filed (to its handlers), its status changed (to its author: `text` is
    the answer or the reason of a rejection) or overdue (to the director)."""

    KIND = "complaint"
    TYPES = ("complaint_filed", "complaint_status", "complaint_overdue")
    type: str
    complaint_id: int
    status: str
    text: str
    due_on: dt.date | None = None


@dataclass(frozen=True)
class PollEvent(PushEvent):
    """A poll to vote in (its push carries a button per option), or its summary to the
    author at closing (`counts` per option)."""

    KIND = "poll"
    TYPES = ("poll_new", "poll_closed")
    type: str
    poll_id: int
    question: str
    options: tuple[str, ...]
    multiple: bool = False
    anonymous: bool = False
    counts: tuple[int, ...] = ()
    voters: int = 0


@dataclass(frozen=True)
class UnmarkedLesson:
    klass: str = _key("class")
    subject: str = ""
    date: dt.date | None = None
    slot: int = 0


@dataclass(frozen=True)
class UnmarkedLessonsEvent(PushEvent):
    """To a teacher: lessons past the deadline with nothing entered."""

    KIND = "staff"
    TYPES = ("unmarked_lessons",)
    items: tuple[UnmarkedLesson, ...]


@dataclass(frozen=True)
class PeriodMarksMissing:
    klass: str = _key("class")
    subject: str = ""
    missing: int = 0


@dataclass(frozen=True)
class PeriodMarksDueEvent(PushEvent):
    """To a teacher, two and one working days before a period ends: marks still missing."""

    KIND = "staff"
    TYPES = ("period_marks_due",)
    period: str
    ends_on: dt.date | None
    deadline: dt.date | None
    items: tuple[PeriodMarksMissing, ...]


@dataclass(frozen=True)
class OverdueLessons:
    teacher: str = ""
    klass: str = _key("class", default="")
    subject: str = ""
    count: int = 0
    since: dt.date | None = None


@dataclass(frozen=True)
class OverduePeriodMarks:
    teacher: str = ""
    klass: str = _key("class", default="")
    subject: str = ""
    period: str = ""
    missing: int = 0


@dataclass(frozen=True)
class DeadlineDigestEvent(PushEvent):
    """Weekly, to the class teacher and the deputy: what stays overdue."""

    KIND = "staff"
    TYPES = ("deadline_digest",)
    lessons: tuple[OverdueLessons, ...] = ()
    period_marks: tuple[OverduePeriodMarks, ...] = ()
    more: int = 0


@dataclass(frozen=True)
class PaperExtractsEvent(PushEvent):
    """To a class teacher: this fortnight's paper extracts of a class are ready."""

    KIND = "staff"
    TYPES = ("paper_extracts",)
    class_id: int
    klass: str = _key("class")
    count: int = 0
    date_from: dt.date | None = _key("from", default=None)  # noqa: RUF009
    date_to: dt.date | None = _key("to", default=None)  # noqa: RUF009


@dataclass(frozen=True)
class MonthlyReportEvent(PushEvent):
    """To the director, on the month's first working day: last month's journal completion
    report is ready in the bot (002 §9, 003 §2.13)."""

    KIND = "staff"
    TYPES = ("monthly_completion",)
    month: dt.date | None  # the first day of the month reported on


@dataclass(frozen=True)
class SummaryMark:
    subject: str = ""
    work_type: str = ""
    weight: int = 1
    date: dt.date | None = None
    value: int | None = None
    passed: bool | None = None


@dataclass(frozen=True)
class SummaryAbsence:
    slot: int = 0
    subject: str = ""
    attendance: str = ""  # absent / ill / excused / late


@dataclass(frozen=True)
class SummaryChild:
    """One child's part of the evening summary."""

    student: str = ""  # first name
    label: str = ""  # name and class, as the menu lists the child
    gets_marks: bool = True
    marks: tuple[SummaryMark, ...] = ()
    absences: tuple[SummaryAbsence, ...] = ()
    next_day: dt.date | None = None
    changes: tuple[LessonChangeEvent, ...] = ()
    homework: tuple[HomeworkItem, ...] = ()


@dataclass(frozen=True)
class FamilySummaryEvent(PushEvent):
    """The evening summary of several children, to a guardian who opted in: each child's
    new marks, today's absences, the next school day's changes and homework."""

    KIND = "summary"
    TYPES = ("family_summary",)
    today: dt.date | None = None
    children: tuple[SummaryChild, ...] = ()


@dataclass(frozen=True)
class UnknownEvent(PushEvent):
    """A payload type nobody here knows; shown as a generic line (with its text, if any)."""

    raw_kind: str
    text: str | None = None

    @property
    def kind(self) -> str:
        return self.raw_kind


EVENT_TYPES: tuple[type[PushEvent], ...] = (
    MarkEvent, FinalMarkEvent, LessonChangeEvent, AbsenceEvent, HomeworkEvent,
    HomeworkTomorrowEvent, ForecastChangeEvent, ForecastWeeklyEvent, ForecastRiskEvent,
    AccessEndedEvent, NoticeEvent, UnmarkedLessonsEvent, PaperExtractsEvent,
    PeriodMarksDueEvent, DeadlineDigestEvent, ThreadMessageEvent, MonthlyReportEvent,
    ClassNoticeEvent, ComplaintEvent, PollEvent,
    FamilySummaryEvent,
)
_BY_TYPE: dict[str, type[PushEvent]] = {t: cls for cls in EVENT_TYPES for t in cls.TYPES}


def decode(kind: str, payload: dict[str, Any]) -> PushEvent:
    """The event a stored row carries. Raises UnreadablePayload when it cannot be read."""
    cls = _BY_TYPE.get(str(payload.get("type") or ""))
    if cls is None and kind == "marks":  # the oldest mark rows had no type
        cls, payload = MarkEvent, {**payload, "type": "mark_added"}
    if cls is None:
        text = payload.get("text")
        return UnknownEvent(kind, str(text) if text else None)
    try:
        return cls.from_payload(payload)
    except UnreadablePayload:
        raise
    except (TypeError, ValueError, AttributeError) as exc:
        raise UnreadablePayload(f"{cls.__name__} payload: {type(exc).__name__}") from exc
