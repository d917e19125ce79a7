"""Push texts: turn the due outbox rows of one chat into messages ready to send (HTML).

The delivery worker takes every due row of a chat and calls `compose`; a burst (a teacher
entering a whole week, the quiet-hours summary at 07:00, a digest) becomes one grouped
message, split at line boundaries only when it would exceed Telegram's 4096 characters.
Payloads are self-contained (names, values, ISO dates), so nothing here reads the database.

Payload shapes, by kind (every payload may also carry `urgent` and `hide_values`):

- "marks":  {"type": "mark_added" | "mark_changed" | "mark_deleted", "student", "subject",
             "work_type", "weight", "date", "value", "passed", "old_value", "old_passed",
             "hide_values"}  (`value`/`passed`: the new mark; for a deleted one, the mark that
             was deleted; `old_*` only for a change)
- "final":  {"type": "final_mark", "student", "subject", "period", "final_kind"
             (period/year/exam/final), "value", "passed", "postponed", "old_value",
             "old_passed", "hide_values"}
- "timetable": {"type": "lesson_replaced" | "lesson_moved" | "lesson_cancelled", "student",
             "subject", "date", "slot", "teacher" (the substitute), "new_date", "new_slot"}
- "absence": {"type": "absence", "student", "attendance" (absent/ill/excused/late),
             "subject", "date", "slot"}
- "homework": {"type": "homework_new" | "homework_changed", "student", "subject", "due_on",
             "text"}  and  {"type": "homework_tomorrow", "student", "due_on",
             "items": [{"subject", "text"}]}
- "forecast": {"type": "forecast_changed", "student", "subject", "period", "old", "new",
             "average", "cause": {"action": "created"|"updated"|"deleted", "value",
             "passed", "old_value", "date", "today"}, "need", "target", "hide_values"}
             {"type": "forecast_weekly", "student", "period", "items": [{"subject",
             "average", "forecast", "need", "target"}], "hide_values"}
             {"type": "forecast_risk", "student", "period", "ends_on", "items": [{"subject",
             "average", "forecast", "previous"}], "hide_values"}
- "access": {"type": "access_ended", "reason": "left_school" | "annulled" |
             "consent_withdrawn" | ..., "student"}
- "notice" / "message" / "complaint": {"type": ..., "text": ..., "from"?: ...}
- "staff":  {"type": "unmarked_lessons", "items": [{"class", "subject", "date", "slot"}]}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from screens.html_text import shorten
from screens.i18n import Translator

LIMIT = 4096
TEXT_CUT = 1500  # free text (homework, notices) longer than this is cut in a push


@dataclass(frozen=True)
class PushRow:
    id: int
    kind: str
    payload: dict[str, Any]
    student_id: int | None
    event_at: dt.datetime


@dataclass
class _Section:
    header: str
    lines: list[str]


# --- small renderers --------------------------------------------------------------------


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _date(t: Translator, value: Any, *, weekday: bool = False) -> str:
    day = _day(value)
    return t.date(day, weekday=weekday) if day else "—"


def _text(value: Any, limit: int = TEXT_CUT) -> str:
    raw = str(value or "").strip()
    if len(raw) > limit:
        raw = raw[: limit - 1].rstrip() + "…"
    return escape(raw)


def _spoiler(text: str, hide: bool) -> str:
    return f"<tg-spoiler>{text}</tg-spoiler>" if hide else text


def mark_value(t: Translator, value: Any, passed: Any, *, hide: bool = False) -> str:
    """A mark as shown in a push: the digit, or pass/fail; hidden behind a spoiler when the
    chat asked for privacy."""
    if value is not None:
        text = str(int(value))
    elif passed is not None:
        text = t("push-passed") if passed else t("push-failed")
    else:
        text = "—"
    return _spoiler(text, hide)


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _hide(payload: dict[str, Any]) -> bool:
    return bool(payload.get("hide_values"))


def _student(payload: dict[str, Any]) -> str:
    return escape(str(payload.get("student") or ""))


# --- marks ------------------------------------------------------------------------------


def _mark_line(t: Translator, p: dict[str, Any]) -> str:
    hide = _hide(p)
    args = dict(subject=escape(str(p.get("subject", ""))),
                work=escape(str(p.get("work_type", ""))),
                weight=int(p.get("weight") or 1), date=_date(t, p.get("date")),
                value=mark_value(t, p.get("value"), p.get("passed"), hide=hide))
    kind = p.get("type")
    if kind == "mark_changed":
        old = mark_value(t, p.get("old_value"), p.get("old_passed"), hide=hide)
        return t("push-mark-line-changed", old=old, **args)
    if kind == "mark_deleted":
        return t("push-mark-line-deleted", **args)
    return t("push-mark-line", **args)


def _marks_section(t: Translator, rows: list[PushRow]) -> _Section:
    first = rows[0].payload
    types = {r.payload.get("type", "mark_added") for r in rows}
    if len(rows) == 1:
        suffix = {"mark_changed": "changed", "mark_deleted": "deleted"}.get(
            str(first.get("type")), "new")
        header = t(f"push-mark-{suffix}-title", student=_student(first))
    elif types == {"mark_added"}:
        header = t("push-marks-new-title", student=_student(first), count=len(rows))
    else:
        header = t("push-marks-updates-title", student=_student(first), count=len(rows))
    return _Section(header, [_mark_line(t, r.payload) for r in rows])


def _final_line(t: Translator, p: dict[str, Any]) -> str:
    kind = str(p.get("final_kind") or "period")
    if kind in ("year", "exam", "final"):
        label = t(f"push-final-kind-{kind}")
    else:
        label = escape(str(p.get("period") or ""))
    subject = escape(str(p.get("subject", "")))
    if p.get("postponed"):
        return t("push-final-line-postponed", subject=subject, label=label)
    value = mark_value(t, p.get("value"), p.get("passed"), hide=_hide(p))
    if p.get("old_value") is not None or p.get("old_passed") is not None:
        old = mark_value(t, p.get("old_value"), p.get("old_passed"), hide=_hide(p))
        return t("push-final-line-changed", subject=subject, label=label, old=old, value=value)
    return t("push-final-line", subject=subject, label=label, value=value)


def _final_section(t: Translator, rows: list[PushRow]) -> _Section:
    return _Section(t("push-final-title", student=_student(rows[0].payload), count=len(rows)),
                    [_final_line(t, r.payload) for r in rows])


# --- timetable and homework -------------------------------------------------------------


def _lesson_line(t: Translator, p: dict[str, Any]) -> str:
    args = dict(date=_date(t, p.get("date"), weekday=True), slot=int(p.get("slot") or 0),
                subject=escape(str(p.get("subject", ""))))
    kind = p.get("type")
    if kind == "lesson_replaced":
        return t("push-lesson-replaced", teacher=escape(str(p.get("teacher") or "—")), **args)
    if kind == "lesson_moved" and not p.get("new_date"):
        return t("push-lesson-moved-away", **args)  # the journal did not say where to
    if kind == "lesson_moved":
        return t("push-lesson-moved", new_date=_date(t, p.get("new_date"), weekday=True),
                 new_slot=int(p.get("new_slot") or 0), **args)
    return t("push-lesson-cancelled", **args)


def _timetable_section(t: Translator, rows: list[PushRow]) -> _Section:
    return _Section(t("push-timetable-title", student=_student(rows[0].payload)),
                    [_lesson_line(t, r.payload) for r in rows])


def _absence_section(t: Translator, rows: list[PushRow]) -> _Section:
    lines = [t("push-absence-line", date=_date(t, r.payload.get("date"), weekday=True),
               slot=int(r.payload.get("slot") or 0),
               subject=escape(str(r.payload.get("subject", ""))),
               kind=str(r.payload.get("attendance") or "absent")) for r in rows]
    return _Section(t("push-absence-title", student=_student(rows[0].payload)), lines)


def _homework_section(t: Translator, rows: list[PushRow]) -> _Section:
    lines = []
    for r in rows:
        p = r.payload
        msg = "push-homework-changed" if p.get("type") == "homework_changed" else \
            "push-homework-new"
        lines.append(t(msg, subject=escape(str(p.get("subject", ""))),
                       due=_date(t, p.get("due_on"), weekday=True), text=_text(p.get("text"))))
    return _Section(t("push-homework-title", student=_student(rows[0].payload)), lines)


def _homework_tomorrow(t: Translator, row: PushRow) -> _Section:
    p = row.payload
    lines = [t("push-homework-item", subject=escape(str(i.get("subject", ""))),
               text=_text(i.get("text"), 600)) for i in p.get("items", [])]
    return _Section(t("push-homework-tomorrow-title", student=_student(p),
                      due=_date(t, p.get("due_on"), weekday=True)), lines)


# --- forecast ---------------------------------------------------------------------------


def average_text(t: Translator, value: Any, *, hide: bool = False) -> str:
    return _spoiler(t("push-average", average=_number(value)), hide)


def _forecast_cause(t: Translator, p: dict[str, Any]) -> str:
    cause = p.get("cause") or {}
    hide = _hide(p)
    value = mark_value(t, cause.get("value"), cause.get("passed"), hide=hide)
    action = cause.get("action")
    if action == "updated":
        old = mark_value(t, cause.get("old_value"), None, hide=hide)
        return t("push-forecast-cause-changed", old=old, value=value)
    if action == "deleted":
        return t("push-forecast-cause-deleted", value=value, date=_date(t, cause.get("date")))
    if cause.get("today"):
        return t("push-forecast-cause-today", value=value)
    return t("push-forecast-cause-date", value=value, date=_date(t, cause.get("date")))


def _forecast_line(t: Translator, p: dict[str, Any]) -> str:
    hide = _hide(p)
    old, new = int(p.get("old") or 0), int(p.get("new") or 0)
    line = t("push-forecast-line", subject=escape(str(p.get("subject", ""))),
             old=_spoiler(str(old), hide), new=_spoiler(str(new), hide),
             cause=_forecast_cause(t, p))
    need, target = p.get("need"), p.get("target")
    if new < old and target:
        if need is None:
            line += t("push-forecast-out-of-reach", target=_spoiler(str(target), hide))
        else:
            line += t("push-forecast-back", n=int(need), target=_spoiler(str(target), hide))
    return line


def _forecast_section(t: Translator, rows: list[PushRow]) -> _Section:
    return _Section(t("push-forecast-title", student=_student(rows[0].payload)),
                    [_forecast_line(t, r.payload) for r in rows])


def _forecast_weekly(t: Translator, row: PushRow) -> _Section:
    p = row.payload
    hide = _hide(p)
    lines = []
    for item in p.get("items", []):
        line = t("push-forecast-weekly-line", subject=escape(str(item.get("subject", ""))),
                 average=average_text(t, item.get("average"), hide=hide),
                 forecast=_spoiler(str(item.get("forecast")), hide))
        if item.get("need") is not None and item.get("target"):
            line += t("push-forecast-weekly-need", n=int(item["need"]),
                      target=_spoiler(str(item["target"]), hide))
        lines.append(line)
    return _Section(t("push-forecast-weekly-title", student=_student(p),
                      period=escape(str(p.get("period") or ""))), lines)


def _forecast_risk(t: Translator, row: PushRow) -> _Section:
    p = row.payload
    hide = _hide(p)
    lines = []
    for item in p.get("items", []):
        line = t("push-forecast-risk-line", subject=escape(str(item.get("subject", ""))),
                 average=average_text(t, item.get("average"), hide=hide),
                 forecast=_spoiler(str(item.get("forecast")), hide))
        previous = item.get("previous")
        if previous is not None and int(previous) > int(item.get("forecast") or 0):
            line += " " + t("push-forecast-risk-dropped", previous=_spoiler(str(previous), hide))
        lines.append(line)
    return _Section(t("push-forecast-risk-title", student=_student(p),
                      period=escape(str(p.get("period") or "")),
                      ends=_date(t, p.get("ends_on"))), lines)


# --- one-off kinds ----------------------------------------------------------------------


def _access(t: Translator, row: PushRow) -> _Section:
    p = row.payload
    reason = str(p.get("reason") or "other")
    return _Section(t("push-access-ended", student=_student(p), reason=reason), [])


def _free_text(t: Translator, row: PushRow) -> _Section:
    p = row.payload
    kind = row.kind if row.kind in ("notice", "message", "complaint") else "notice"
    author = p.get("from")
    header = t(f"push-{kind}-title")
    if author:
        header += t("push-from", name=escape(str(author)))
    return _Section(header, _text(p.get("text"), 3500).splitlines())


def _staff_unmarked(t: Translator, row: PushRow) -> _Section:
    items = row.payload.get("items", [])
    lines = [t("push-staff-unmarked-line", klass=escape(str(i.get("class", ""))),
               subject=escape(str(i.get("subject", ""))),
               date=_date(t, i.get("date"), weekday=True), slot=int(i.get("slot") or 0))
             for i in items]
    return _Section(t("push-staff-unmarked-title", count=len(items)), lines)


def _unknown(t: Translator, row: PushRow) -> _Section:
    text = row.payload.get("text")
    return _Section(t("push-unknown"), _text(text).splitlines() if text else [])


# --- grouping ---------------------------------------------------------------------------

# Rows of these (kind, type) groups merge into one section per student; the rest stand alone.
_MERGED: dict[tuple[str, str], tuple[str, Callable[[Translator, list[PushRow]], _Section]]] = {
    ("marks", "mark_added"): ("marks", _marks_section),
    ("marks", "mark_changed"): ("marks", _marks_section),
    ("marks", "mark_deleted"): ("marks", _marks_section),
    ("final", "final_mark"): ("final", _final_section),
    ("timetable", "lesson_replaced"): ("timetable", _timetable_section),
    ("timetable", "lesson_moved"): ("timetable", _timetable_section),
    ("timetable", "lesson_cancelled"): ("timetable", _timetable_section),
    ("homework", "homework_new"): ("homework", _homework_section),
    ("homework", "homework_changed"): ("homework", _homework_section),
    ("forecast", "forecast_changed"): ("forecast", _forecast_section),
    ("absence", "absence"): ("absence", _absence_section),
}
_SINGLE: dict[str, Callable[[Translator, PushRow], _Section]] = {
    "homework_tomorrow": _homework_tomorrow,
    "forecast_weekly": _forecast_weekly,
    "forecast_risk": _forecast_risk,
    "access_ended": _access,
    "unmarked_lessons": _staff_unmarked,
}
_ORDER = {"access": 0, "marks": 1, "final": 2, "forecast": 3, "absence": 4, "timetable": 5,
          "homework": 6}


def _row_date(row: PushRow) -> str:
    p = row.payload
    return str(p.get("date") or p.get("due_on") or "")


def _sort_key(row: PushRow) -> tuple[Any, ...]:
    p = row.payload
    return (row.kind != "access", row.student_id is None, str(p.get("student") or ""),
            row.student_id or 0,
            _ORDER.get(row.kind, 9), _row_date(row), row.event_at, row.id)


def _sections(rows: Sequence[PushRow], t: Translator) -> list[_Section]:
    merged: dict[tuple[Any, ...], list[PushRow]] = {}
    renderers: dict[tuple[Any, ...], Callable[[Translator, list[PushRow]], _Section]] = {}
    # Rows are visited in display order; a merged section takes the place of its first row.
    slots: list[tuple[Any, ...] | PushRow] = []
    for row in sorted(rows, key=_sort_key):
        group = _MERGED.get((row.kind, str(row.payload.get("type", ""))))
        if group is None and row.kind == "marks":
            group = _MERGED[("marks", "mark_added")]
        if group is None:
            slots.append(row)
            continue
        key = (row.student_id, group[0])
        if key not in merged:
            merged[key], renderers[key] = [], group[1]
            slots.append(key)
        merged[key].append(row)
    sections: list[_Section] = []
    for slot in slots:
        if not isinstance(slot, PushRow):
            sections.append(renderers[slot](t, merged[slot]))
            continue
        p_type = str(slot.payload.get("type", ""))
        if p_type in _SINGLE:
            sections.append(_SINGLE[p_type](t, slot))
        elif slot.kind == "access":
            sections.append(_access(t, slot))
        elif slot.kind in ("notice", "message", "complaint"):
            sections.append(_free_text(t, slot))
        else:
            sections.append(_unknown(t, slot))
    return sections


def split_text(blocks: list[list[str]], limit: int = LIMIT) -> list[str]:
    """Join blocks (a header and its lines) into texts ≤ limit, breaking only between lines;
    a block that continues in the next text repeats its header."""
    texts: list[str] = []
    current = ""
    for block in blocks:
        if not block:
            continue
        header = shorten(block[0], limit // 2)
        first = True
        for line in block:
            piece = header if first else shorten(line, limit - len(header) - 1)
            sep = ("\n\n" if current else "") if first else "\n"
            if current and len(current) + len(sep) + len(piece) > limit:
                texts.append(current)
                current = piece if first else f"{header}\n{piece}"
            else:
                current = f"{current}{sep}{piece}"
            first = False
    if current:
        texts.append(current)
    return texts


def compose(rows: Sequence[PushRow], t: Translator) -> list[str]:
    """Texts for one chat's due rows, in the recipient's language: usually one text for the
    whole burst, grouped by student and ordered by date; several when over 4096 chars."""
    if not rows:
        return []
    blocks = [[s.header, *s.lines] for s in _sections(rows, t)]
    return split_text(blocks)
