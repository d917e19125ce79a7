"""Buttons under a push that open its view: a mark opens the subject's marks, a timetable
change the day's timetable, homework the day's homework.

A message gets buttons only when every row it completes is about one student and of one
view (marks, timetable or homework), and its targets are few: one button per subject (or
day) up to `MAX_BUTTONS`. A message mixing students or views, a merged message of more
subjects or days than that, the first part of an overlong message (it completes no row),
and kinds with no view of their own (forecasts, final marks, notices, staff digests) get
none. Pressing a button runs the view's own handler, which checks access again; a forged
or stale payload gets what any such press gets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from screens.base import Button, Rows, layout
from screens.homework import HwCb, HwView
from screens.i18n import Translator
from screens.marks import MarksCb, MarksView
from screens.nav import pack_day
from screens.timetable import TtCb, TtView
from services import push_events as ev

MAX_BUTTONS = 3

# (view, target): a subject id for marks, a day for the timetable and homework.
_Target = tuple[str, int | dt.date]


def _target(row: Any) -> _Target | None:
    e = row.event
    if isinstance(e, ev.MarkEvent) and e.type != "mark_deleted":
        subject_id = getattr(row, "subject_id", None)
        return ("marks", subject_id) if subject_id else None
    if isinstance(e, ev.LessonChangeEvent) and e.date is not None:
        return ("timetable", e.date)
    if isinstance(e, ev.HomeworkEvent | ev.HomeworkTomorrowEvent) and e.due_on is not None:
        return ("homework", e.due_on)
    return None


def _button(t: Translator, student_id: int, target: _Target, subject: str) -> Button:
    view, value = target
    if view == "marks":
        assert isinstance(value, int)
        return Button(t("push-open-marks", subject=subject),
                      MarksCb(MarksView.SUBJECT, student_id, j=value).pack())
    assert isinstance(value, dt.date)
    if view == "timetable":
        return Button(t("push-open-timetable", date=t.short_date(value)),
                      TtCb(TtView.DAY, student_id, d=pack_day(value)).pack())
    return Button(t("push-open-homework", date=t.short_date(value)),
                  HwCb(HwView.DAY, student_id, d=pack_day(value)).pack())


def push_buttons(t: Translator, rows: Sequence[Any]) -> Rows:
    """The buttons of a message completing `rows` (see the module docstring)."""
    if not rows or len({r.student_id for r in rows}) != 1 or rows[0].student_id is None:
        return ()
    targets: list[_Target] = []
    subjects: dict[_Target, str] = {}
    for row in rows:
        target = _target(row)
        if target is None:
            return ()
        if target not in subjects:
            targets.append(target)
            subjects[target] = str(getattr(row.event, "subject", ""))
    if len({view for view, _ in targets}) != 1 or len(targets) > MAX_BUTTONS:
        return ()
    targets.sort(key=lambda x: (subjects[x], str(x[1])) if x[0] == "marks" else (str(x[1]),))
    student_id = int(rows[0].student_id)
    return layout([_button(t, student_id, x, subjects[x]) for x in targets], 1)
