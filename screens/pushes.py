"""Push texts: turn the due outbox rows of one chat into messages ready to send (HTML).

The delivery worker takes every due row of a chat and calls `compose`; a burst (a teacher
entering a whole week, the quiet-hours summary at 07:00, a digest) becomes one grouped
message, split at line boundaries only when it would exceed Telegram's 4096 characters.
Each message comes back with the ids of the rows it completes, so the worker can record
every row as sent as soon as the message carrying it is accepted. A row whose text spans
two messages rides the later one.

Rows carry typed events (services.push_events) and the chat's privacy mode as it is when
they are sent (`hide_values`); nothing here reads the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from html import escape
from typing import Any, Protocol, TypeVar

from screens.base import Rows
from screens.format import average_text, mark_text, spoiler
from screens.html_text import shorten
from screens.i18n import Translator
from screens.push_buttons import push_buttons
from screens.push_own import OWN
from screens.summary_push import summary_lines
from services import push_events as ev

LIMIT = 4096
CAPTION_LIMIT = 1024
TEXT_CUT = 1500  # free text (homework, notices) longer than this is cut in a push
E = TypeVar("E", bound=ev.PushEvent)


class ComposableRow(Protocol):
    """What the composer needs of an outbox row (services.delivery_queue.QueuedRow fits)."""

    @property
    def id(self) -> int: ...
    @property
    def event(self) -> ev.PushEvent: ...
    @property
    def student_id(self) -> int | None: ...
    @property
    def event_at(self) -> dt.datetime: ...
    @property
    def hide_values(self) -> bool: ...


@dataclass(frozen=True)
class PushRow:
    id: int
    event: ev.PushEvent
    student_id: int | None
    event_at: dt.datetime
    hide_values: bool = False
    subject_id: int | None = None

    @classmethod
    def from_stored(cls, row_id: int, kind: str, payload: dict[str, Any],
                    student_id: int | None, event_at: dt.datetime,
                    subject_id: int | None = None) -> PushRow:
        """A stored row as it was queued (with the privacy mode it was queued with)."""
        return cls(row_id, ev.decode(kind, payload), student_id, event_at,
                   bool(payload.get("hide_values")), subject_id)


@dataclass(frozen=True)
class ComposedPush:
    """One message and the outbox rows it completes; `rows`: its buttons, if any."""

    text: str
    row_ids: tuple[int, ...]
    rows: Rows = ()
    media: tuple[str, str] | None = None  # (photo/document, file_id): text is its caption


@dataclass
class _Section:
    header: str
    lines: list[str]
    # Which rows each line completes; rows of a header-only section complete with it.
    owners: list[tuple[int, ...]] = field(default_factory=list)
    header_rows: tuple[int, ...] = ()


def _one_row(row: ComposableRow, header: str, lines: list[str]) -> _Section:
    if not lines:
        return _Section(header, [], [], (row.id,))
    return _Section(header, lines, [()] * (len(lines) - 1) + [(row.id,)])


# --- small renderers --------------------------------------------------------------------


def _date(t: Translator, day: dt.date | None, *, weekday: bool = False) -> str:
    return t.date(day, weekday=weekday) if day else "—"


def _text(value: str | None, limit: int = TEXT_CUT) -> str:
    raw = (value or "").strip()
    if len(raw) > limit:
        raw = raw[: limit - 1].rstrip() + "…"
    return escape(raw)


def _student(row: ComposableRow) -> str:
    return escape(str(getattr(row.event, "student", "") or ""))


# --- marks ------------------------------------------------------------------------------


def _mark_line(t: Translator, e: ev.MarkEvent, hide: bool) -> str:
    args = dict(subject=escape(e.subject), work=escape(e.work_type), weight=e.weight or 1,
                date=_date(t, e.date), value=mark_text(t, e.value, e.passed, hide=hide))
    if e.type == "mark_changed":
        old = mark_text(t, e.old_value, e.old_passed, hide=hide)
        return t("push-mark-line-changed", old=old, **args)
    if e.type == "mark_deleted":
        return t("push-mark-line-deleted", **args)
    return t("push-mark-line", **args)


def _marks_section(t: Translator, rows: list[ComposableRow]) -> list[str]:
    events = [_as(ev.MarkEvent, r) for r in rows]
    types = {e.type for e in events}
    if len(rows) == 1:
        suffix = {"mark_changed": "changed", "mark_deleted": "deleted"}.get(events[0].type,
                                                                           "new")
        header = t(f"push-mark-{suffix}-title", student=_student(rows[0]))
    elif types == {"mark_added"}:
        header = t("push-marks-new-title", student=_student(rows[0]), count=len(rows))
    else:
        header = t("push-marks-updates-title", student=_student(rows[0]), count=len(rows))
    return [header, *(_mark_line(t, e, r.hide_values) for e, r in zip(events, rows,
                                                                         strict=True))]


def _final_line(t: Translator, e: ev.FinalMarkEvent, hide: bool) -> str:
    if e.final_kind in ("year", "exam", "final"):
        label = t(f"push-final-kind-{e.final_kind}")
    else:
        label = escape(e.period)
    subject = escape(e.subject)
    if e.postponed:
        return t("push-final-line-postponed", subject=subject, label=label)
    value = mark_text(t, e.value, e.passed, hide=hide)
    if e.old_value is not None or e.old_passed is not None:
        old = mark_text(t, e.old_value, e.old_passed, hide=hide)
        return t("push-final-line-changed", subject=subject, label=label, old=old, value=value)
    return t("push-final-line", subject=subject, label=label, value=value)


def _final_section(t: Translator, rows: list[ComposableRow]) -> list[str]:
    return [t("push-final-title", student=_student(rows[0]), count=len(rows)),
            *(_final_line(t, _as(ev.FinalMarkEvent, r), r.hide_values) for r in rows)]


# --- timetable and homework -------------------------------------------------------------


def _lesson_line(t: Translator, e: ev.LessonChangeEvent) -> str:
    args = dict(date=_date(t, e.date, weekday=True), slot=e.slot, subject=escape(e.subject))
    if e.type == "lesson_replaced":
        return t("push-lesson-replaced", teacher=escape(e.teacher or "—"), **args)
    if e.type == "lesson_moved" and e.new_date is None:
        return t("push-lesson-moved-away", **args)  # the journal did not say where to
    if e.type == "lesson_moved":
        return t("push-lesson-moved", new_date=_date(t, e.new_date, weekday=True),
                 new_slot=e.new_slot or 0, **args)
    return t("push-lesson-cancelled", **args)


def _timetable_section(t: Translator, rows: list[ComposableRow]) -> list[str]:
    return [t("push-timetable-title", student=_student(rows[0])),
            *(_lesson_line(t, _as(ev.LessonChangeEvent, r)) for r in rows)]


def _homework_line(t: Translator, e: ev.HomeworkEvent) -> str:
    msg = "push-homework-changed" if e.type == "homework_changed" else "push-homework-new"
    return t(msg, subject=escape(e.subject), due=_date(t, e.due_on, weekday=True),
             text=_text(e.text))


def _absence_section(t: Translator, rows: list[ComposableRow]) -> list[str]:
    # A reply to this message reaches the class teacher (services.messages): the header
    # says so. (One line per row follows: the lines are what the rows own.)
    header = "\n".join((t("push-absence-title", student=_student(rows[0])),
                        t("msg-push-absence-hint")))
    return [header, *(t("push-absence-line", date=_date(t, e.date, weekday=True), slot=e.slot,
                        subject=escape(e.subject), kind=e.attendance)
                      for e in (_as(ev.AbsenceEvent, r) for r in rows))]


def _homework_section(t: Translator, rows: list[ComposableRow]) -> list[str]:
    return [t("push-homework-title", student=_student(rows[0])),
            *(_homework_line(t, _as(ev.HomeworkEvent, r)) for r in rows)]


def _homework_tomorrow(t: Translator, row: ComposableRow) -> _Section:
    e = _as(ev.HomeworkTomorrowEvent, row)
    lines = [t("push-homework-item", subject=escape(i.subject), text=_text(i.text, 600))
             for i in e.items]
    return _one_row(row, t("push-homework-tomorrow-title", student=_student(row),
                           due=_date(t, e.due_on, weekday=True)), lines)


# --- forecast ---------------------------------------------------------------------------


def _forecast_cause(t: Translator, cause: ev.ForecastCause, hide: bool) -> str:
    value = mark_text(t, cause.value, cause.passed, hide=hide)
    if cause.action == "updated":
        old = mark_text(t, cause.old_value, None, hide=hide)
        return t("push-forecast-cause-changed", old=old, value=value)
    if cause.action == "deleted":
        return t("push-forecast-cause-deleted", value=value, date=_date(t, cause.date))
    if cause.today:
        return t("push-forecast-cause-today", value=value)
    return t("push-forecast-cause-date", value=value, date=_date(t, cause.date))


def _forecast_line(t: Translator, e: ev.ForecastChangeEvent, hide: bool) -> str:
    line = t("push-forecast-line", subject=escape(e.subject),
             old=spoiler(str(e.old), hide), new=spoiler(str(e.new), hide),
             cause=_forecast_cause(t, e.cause, hide))
    if e.new < e.old and e.target:
        if e.need is None:
            line += t("push-forecast-out-of-reach", target=spoiler(str(e.target), hide))
        else:
            line += t("push-forecast-back", n=e.need, target=spoiler(str(e.target), hide))
    return line


def _forecast_section(t: Translator, rows: list[ComposableRow]) -> list[str]:
    return [t("push-forecast-title", student=_student(rows[0])),
            *(_forecast_line(t, _as(ev.ForecastChangeEvent, r), r.hide_values) for r in rows)]


def _forecast_weekly(t: Translator, row: ComposableRow) -> _Section:
    e, hide = _as(ev.ForecastWeeklyEvent, row), row.hide_values
    lines = []
    for item in e.items:
        line = t("push-forecast-weekly-line", subject=escape(item.subject),
                 average=average_text(t, item.average, hide=hide),
                 forecast=spoiler(str(item.forecast), hide))
        if item.need is not None and item.target:
            line += t("push-forecast-weekly-need", n=item.need,
                      target=spoiler(str(item.target), hide))
        lines.append(line)
    return _one_row(row, t("push-forecast-weekly-title", student=_student(row),
                           period=escape(e.period)), lines)


def _forecast_risk(t: Translator, row: ComposableRow) -> _Section:
    e, hide = _as(ev.ForecastRiskEvent, row), row.hide_values
    lines = []
    for item in e.items:
        line = t("push-forecast-risk-line", subject=escape(item.subject),
                 average=average_text(t, item.average, hide=hide),
                 forecast=spoiler(str(item.forecast), hide))
        if item.previous is not None and item.previous > (item.forecast or 0):
            line += " " + t("push-forecast-risk-dropped",
                            previous=spoiler(str(item.previous), hide))
        lines.append(line)
    return _one_row(row, t("push-forecast-risk-title", student=_student(row),
                           period=escape(e.period), ends=_date(t, e.ends_on)), lines)


# --- one-off kinds ----------------------------------------------------------------------


def _access(t: Translator, row: ComposableRow) -> _Section:
    e = _as(ev.AccessEndedEvent, row)
    return _one_row(row, t("push-access-ended", student=_student(row),
                           reason=e.reason or "other"), [])


def _free_text(t: Translator, row: ComposableRow) -> _Section:
    e = _as(ev.NoticeEvent, row)
    header = t(f"push-{e.type if e.type in ev.NoticeEvent.TYPES else 'notice'}-title")
    if e.author:
        header += t("push-from", name=escape(e.author))
    return _one_row(row, header, _text(e.text, 3500).splitlines())


def thread_message(t: Translator, row: ComposableRow) -> ComposedPush:
    """A thread's message as a message of its own, so that a reply to it names the
    thread; with a file, the text is the caption (1024 characters at most)."""
    e = _as(ev.ThreadMessageEvent, row)
    sender = e.sender if e.sender in ("staff", "guardian", "student") else "guardian"
    header = t(f"msg-push-from-{sender}", author=escape(e.author),
               student=escape(e.student))
    hint = t("msg-push-reply-hint")
    media = e.file_kind in ("photo", "document") and bool(e.file_id)
    room = (CAPTION_LIMIT if media else LIMIT) - len(header) - len(hint) - 4
    # Escaped first, then cut: no tag, and no entity cut in half.
    body = shorten(escape(e.text), max(room, 1)) if e.text else ""
    text = "\n\n".join(part for part in (header, body, hint) if part)
    return ComposedPush(text, (row.id,), media=(e.file_kind, e.file_id) if media else None)


def _complaint(t: Translator, row: ComposableRow) -> _Section:
    e = _as(ev.ComplaintEvent, row)
    header = t(f"push-{e.type}", number=e.complaint_id, due=_date(t, e.due_on),
               status=t(f"complaint-status-{e.status}"))
    return _one_row(row, header, _text(e.text, 1000).splitlines())


def _family_summary(t: Translator, row: ComposableRow) -> _Section:
    header, lines = summary_lines(t, _as(ev.FamilySummaryEvent, row), row.hide_values)
    return _one_row(row, header, lines)


def _staff_unmarked(t: Translator, row: ComposableRow) -> _Section:
    items = _as(ev.UnmarkedLessonsEvent, row).items
    lines = [t("push-staff-unmarked-line", klass=escape(i.klass), subject=escape(i.subject),
               date=_date(t, i.date, weekday=True), slot=i.slot) for i in items]
    return _one_row(row, t("push-staff-unmarked-title", count=len(items)), lines)


def _unknown(t: Translator, row: ComposableRow) -> _Section:
    text = getattr(row.event, "text", None)
    return _one_row(row, t("push-unknown"), _text(text).splitlines() if text else [])


def _as(cls: type[E], row: ComposableRow) -> E:
    assert isinstance(row.event, cls), type(row.event)
    return row.event


def _paper_extracts(t: Translator, row: ComposableRow) -> _Section:
    e = _as(ev.PaperExtractsEvent, row)
    return _one_row(row, t("push-paper-extracts", klass=escape(e.klass), count=e.count,
                           start=_date(t, e.date_from), end=_date(t, e.date_to)), [])


def _monthly_report(t: Translator, row: ComposableRow) -> _Section:
    e = _as(ev.MonthlyReportEvent, row)
    month = t(f"month-name-{e.month.month}") if e.month else "—"
    return _one_row(row, t("push-monthly-completion", month=month,
                           year=str(e.month.year) if e.month else ""), [])


def _staff_period_marks(t: Translator, row: ComposableRow) -> _Section:
    e = _as(ev.PeriodMarksDueEvent, row)
    lines = [t("push-staff-period-marks-line", klass=escape(i.klass),
               subject=escape(i.subject), missing=i.missing) for i in e.items]
    return _one_row(row, t("push-staff-period-marks-title", period=escape(e.period),
                           ends=_date(t, e.ends_on, weekday=True),
                           deadline=_date(t, e.deadline, weekday=True)), lines)


def _staff_digest(t: Translator, row: ComposableRow) -> _Section:
    e = _as(ev.DeadlineDigestEvent, row)
    lines: list[str] = []
    if e.lessons:
        lines.append(t("push-staff-digest-lessons"))
        lines += [t("push-staff-digest-lesson-line", teacher=escape(i.teacher),
                    klass=escape(i.klass), subject=escape(i.subject), count=i.count,
                    since=_date(t, i.since)) for i in e.lessons]
    if e.period_marks:
        lines.append(t("push-staff-digest-marks"))
        lines += [t("push-staff-digest-mark-line", teacher=escape(i.teacher),
                    klass=escape(i.klass), subject=escape(i.subject),
                    period=escape(i.period), missing=i.missing) for i in e.period_marks]
    if e.more:
        lines.append(t("push-staff-digest-more", count=e.more))
    return _one_row(row, t("push-staff-digest-title"), lines)


# --- grouping ---------------------------------------------------------------------------

# Events of these types merge into one section per student (one line per row).
_MERGED: dict[type[ev.PushEvent], Callable[[Translator, list[ComposableRow]], list[str]]] = {
    ev.MarkEvent: _marks_section,
    ev.FinalMarkEvent: _final_section,
    ev.LessonChangeEvent: _timetable_section,
    ev.HomeworkEvent: _homework_section,
    ev.ForecastChangeEvent: _forecast_section,
    ev.AbsenceEvent: _absence_section,
}
_SINGLE: dict[type[ev.PushEvent], Callable[[Translator, ComposableRow], _Section]] = {
    ev.HomeworkTomorrowEvent: _homework_tomorrow,
    ev.ForecastWeeklyEvent: _forecast_weekly,
    ev.ForecastRiskEvent: _forecast_risk,
    ev.AccessEndedEvent: _access,
    ev.NoticeEvent: _free_text,
    ev.ComplaintEvent: _complaint,
    ev.UnmarkedLessonsEvent: _staff_unmarked,
    ev.PaperExtractsEvent: _paper_extracts,
    ev.PeriodMarksDueEvent: _staff_period_marks,
    ev.DeadlineDigestEvent: _staff_digest,
    ev.MonthlyReportEvent: _monthly_report,
    ev.FamilySummaryEvent: _family_summary,
}
_ORDER = {"access": 0, "marks": 1, "final": 2, "forecast": 3, "absence": 4, "timetable": 5,
          "homework": 6}


def _sort_key(row: ComposableRow) -> tuple[Any, ...]:
    e = row.event
    day = getattr(e, "date", None) or getattr(e, "due_on", None)
    return (e.kind != "access", row.student_id is None, str(getattr(e, "student", "")),
            row.student_id or 0, _ORDER.get(e.kind, 9), day.isoformat() if day else "",
            row.event_at, row.id)


def _sections(rows: Sequence[ComposableRow], t: Translator) -> list[_Section]:
    merged: dict[tuple[Any, ...], list[ComposableRow]] = {}
    # Rows are visited in display order; a merged section takes the place of its first row.
    slots: list[tuple[Any, ...] | ComposableRow] = []
    for row in sorted(rows, key=_sort_key):
        kind = type(row.event)
        if kind not in _MERGED:
            slots.append(row)
            continue
        key = (row.student_id, kind)
        if key not in merged:
            merged[key] = []
            slots.append(key)
        merged[key].append(row)
    sections: list[_Section] = []
    for slot in slots:
        if isinstance(slot, tuple):
            group = merged[slot]
            header, *lines = _MERGED[slot[1]](t, group)
            sections.append(_Section(header, lines, [(r.id,) for r in group]))
        else:
            sections.append(_SINGLE.get(type(slot.event), _unknown)(t, slot))
    return sections


def _split(sections: list[_Section], limit: int = LIMIT) -> list[ComposedPush]:
    """Join sections into texts ≤ limit, breaking only between lines; a section that
    continues in the next text repeats its header. A row goes with the text that holds
    the last line it owns."""
    texts: list[tuple[str, list[int]]] = []
    current, owned = "", list[int]()

    def put(piece: str, sep: str, rows: Sequence[int], header: str | None) -> None:
        nonlocal current, owned
        if current and len(current) + len(sep) + len(piece) > limit:
            texts.append((current, owned))
            current, owned = (piece if header is None else f"{header}\n{piece}"), []
        else:
            current = f"{current}{sep}{piece}"
        owned.extend(rows)

    for s in sections:
        header = shorten(s.header, limit // 2)
        put(header, "\n\n" if current else "", s.header_rows, None)
        for line, rows in zip(s.lines, s.owners, strict=True):
            put(shorten(line, limit - len(header) - 1), "\n", rows, header)
    if current:
        texts.append((current, owned))
    return [ComposedPush(text, tuple(sorted(ids))) for text, ids in texts]


def _own(t: Translator, row: ComposableRow) -> ComposedPush:
    own = OWN[type(row.event)](t, row.event)
    return ComposedPush(own.text, (row.id,), own.rows, own.media)


def compose(rows: Sequence[ComposableRow], t: Translator) -> list[ComposedPush]:
    """Messages for one chat's due rows, in the recipient's language: usually one for the
    whole burst, grouped by student and ordered by date; several when over 4096 chars.
    Each class notice and poll comes on its own, after the rest, with its buttons."""
    if not rows:
        return []
    # A thread's message and a notice or a poll each go alone (a reply or a button names
    # one of them), after the rest.
    relayed = [r for r in rows if isinstance(r.event, ev.ThreadMessageEvent)]
    own = sorted((r for r in rows if type(r.event) in OWN), key=lambda r: (r.event_at, r.id))
    others = [r for r in rows
              if type(r.event) not in OWN and not isinstance(r.event, ev.ThreadMessageEvent)]
    plan = _split(_sections(others, t)) if others else []
    by_id = {r.id: r for r in others}
    plan = [replace(m, rows=push_buttons(t, [by_id[i] for i in m.row_ids])) for m in plan]
    return [*plan, *(thread_message(t, r) for r in sorted(relayed, key=lambda r: r.id)),
            *(_own(t, r) for r in own)]
