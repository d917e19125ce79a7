"""Typed push events: one frozen dataclass per push kind, and their JSONB payload form.

Producers (services.journal, services.offboarding, the exchange, the scheduled jobs) build
an event and hand it to services.notifications inside a `Push`; the outbox stores
`event.to_payload()`; the delivery queue reads rows back with `decode(kind, payload)`, and
the composer (screens.pushes) renders events, never dicts.

The payload keeps the keys rows had before events were typed (so rows queued by an older
process still read) plus `v`, the schema version of that event type. A row without `v` is
version 1. A row whose version is newer than this code knows (a newer process queued it
during a rolling deploy), or whose payload does not fit its type, raises
`UnreadablePayload`: the queue holds it for a person rather than guessing. A payload type
nobody knows becomes an `UnknownEvent`, which the composer shows as a generic "something
changed" line.

Envelope keys that are not event fields (`v`, `urgent`, `hide_values`) are written by the
outbox and ignored here. `hide_values` is the privacy mode as it was when the row was
queued; delivery applies the chat's mode as it is when the row is sent.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import types
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

VERSION_KEY = "v"
ENVELOPE_KEYS = frozenset({VERSION_KEY, "type", "urgent", "hide_values"})


class UnreadablePayload(ValueError):
    """A payload of a newer schema version than this process knows, or a malformed one."""


def _key(name: str, **default: Any) -> Any:
    """A field stored under another payload key (a Python keyword, e.g. "class")."""
    return field(metadata={"key": name}, **default)


# --- (de)serialisation -----------------------------------------------------------------


def _dump(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.metadata.get("key", f.name): _dump(getattr(value, f.name))
                for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_dump(v) for v in value]
    return value


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _load(hint: Any, raw: Any) -> Any:
    """`raw` (from JSON) as the annotated type; tolerant of what older rows may hold."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        if raw is None:
            return None
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _load(inner[0], raw)
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return tuple(_load(item, v) for v in raw or ())
    if hint is dt.date:
        if isinstance(raw, str) and raw:
            try:
                return dt.date.fromisoformat(raw[:10])
            except ValueError:
                return None
        return None
    if dataclasses.is_dataclass(hint):
        return _from_dict(hint, raw if isinstance(raw, dict) else {})
    if hint is bool:
        return bool(raw)
    if hint is int:
        return int(raw) if isinstance(raw, int | float) else 0
    if hint is float:
        return float(raw) if isinstance(raw, int | float) else 0.0
    if hint is str:
        return "" if raw is None else str(raw)
    return raw


def _from_dict(cls: Any, data: dict[str, Any]) -> Any:
    hints = _hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        key = f.metadata.get("key", f.name)
        if key in data:
            values[f.name] = _load(hints[f.name], data[key])
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            values[f.name] = _load(hints[f.name], None)  # an older row lacked it
    return cls(**values)


# --- the events ------------------------------------------------------------------------


@dataclass(frozen=True)
class PushEvent:
    """Base of every event. `KIND` is the outbox kind (what a chat can mute); `TYPES` the
    payload types the class covers (several when they share one shape, with a `type`
    field saying which); `VERSION` the payload schema version."""

    KIND: ClassVar[str] = ""
    TYPES: ClassVar[tuple[str, ...]] = ()
    VERSION: ClassVar[int] = 1

    @property
    def kind(self) -> str:
        return self.KIND

    @property
    def event_type(self) -> str:
        return str(getattr(self, "type", self.TYPES[0] if self.TYPES else ""))

    def to_payload(self) -> dict[str, Any]:
        payload = _dump(self)
        payload["type"] = self.event_type
        payload[VERSION_KEY] = self.VERSION
        return payload

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Self:
        version = payload.get(VERSION_KEY, 1)
        if not isinstance(version, int) or version > cls.VERSION:
            raise UnreadablePayload(f"{cls.__name__} payload v{version}")
        data = {k: v for k, v in payload.items() if k not in ENVELOPE_KEYS - {"type"}}
        if "type" not in {f.name for f in dataclasses.fields(cls)}:
            data.pop("type", None)
        return typing.cast(Self, _from_dict(cls, data))

    def about(self, student: str) -> Self:
        """The event with the child's first name filled in, if it names one and has none."""
        if getattr(self, "student", None) == "":
            changes: dict[str, Any] = {"student": student}
            return dataclasses.replace(self, **changes)
        return self


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
    PeriodMarksDueEvent, DeadlineDigestEvent, ThreadMessageEvent, FamilySummaryEvent,
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
