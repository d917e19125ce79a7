"""Attendance, marks, mark corrections and period (quarter, half-year) marks of the demo."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from services.demo_seed import data
from services.demo_seed.lessons import _Lesson
from services.demo_seed.people import _Class
from services.demo_seed.school import DAY, _School
from services.demo_seed.writer import _rng, _Writer
from services.models import AttendanceKind, FinalMark, FinalMarkKind, Mark, MarkChange, PeriodKind

# --- attendance -------------------------------------------------------------------------

_AWAY = (AttendanceKind.ABSENT, AttendanceKind.ILL, AttendanceKind.EXCUSED)


def _plan_attendance(school: _School, lessons: Sequence[_Lesson], today: dt.date,
                     long_illness: tuple[int, Sequence[dt.date]], rng: random.Random,
                     ) -> tuple[dict[int, dict[int, AttendanceKind]], list[dict[str, Any]]]:
    """About 3% of student-lessons: illnesses of 1-4 whole school days, plus single
    absences, excused absences and lateness. Returns {lesson id: {student id: kind}}."""
    held = [x for x in lessons if x.held and x.date < today]
    ill: set[tuple[int, dt.date]] = {(long_illness[0], d) for d in long_illness[1]}
    days_by_class: dict[int, list[dt.date]] = defaultdict(list)
    classes = {}
    for x in held:
        classes[x.cls.id] = x.cls
        if not days_by_class[x.cls.id] or days_by_class[x.cls.id][-1] != x.date:
            days_by_class[x.cls.id].append(x.date)
    for class_id, days in days_by_class.items():
        for i in range(len(days)):
            if rng.random() < 0.13:
                student = rng.choice(classes[class_id].students)
                ill |= {(student.id, d) for d in days[i:i + rng.randint(1, 4)]}
    kinds: dict[int, dict[int, AttendanceKind]] = defaultdict(dict)
    rows: list[dict[str, Any]] = []
    for x in held:
        entered = school.at(x.date, data.BELLS[x.slot - 1][1]) + dt.timedelta(minutes=10)
        for s in x.cls.scope(x.subgroup_id):
            roll, late = rng.random(), None
            if (s.id, x.date) in ill:
                kind = AttendanceKind.ILL
            elif roll < 0.004:
                kind = AttendanceKind.ABSENT
            elif roll < 0.008:
                kind = AttendanceKind.EXCUSED
            elif roll < 0.016:
                kind, late = AttendanceKind.LATE, rng.choice((3, 5, 5, 7, 10, 15))
            else:
                continue
            kinds[x.id][s.id] = kind
            rows.append({
                "school_id": school.id, "student_id": s.id, "lesson_id": x.id,
                "date": x.date, "kind": kind, "minutes_late": late,
                "entered_by_id": x.taught_by, "entered_at": entered,
                "external_id": f"A-{len(rows) + 1:05d}"})
    return kinds, rows


# --- marks ------------------------------------------------------------------------------


def _plan_marks(school: _School, lessons: Sequence[_Lesson], today: dt.date,
                away: dict[int, dict[int, AttendanceKind]], rng: random.Random,
                per_lesson: tuple[int, int] = (3, 6)) -> list[dict[str, Any]]:
    """Marks for held lessons (none for first-graders): everyone present writes a planned
    test; otherwise a few students, the least-marked first so marks accumulate evenly.
    Values follow each student's ability, nudged per subject."""
    counts: dict[tuple[int, str, int], int] = defaultdict(int)  # per student, subject, quarter
    shift: dict[tuple[int, str], int] = {}
    rows: list[dict[str, Any]] = []
    for x in lessons:
        if not x.held or x.date >= today or x.cls.grade == 1:
            continue
        quarter = next(n for n, q in enumerate(school.cal.quarters) if q.contains(x.date))
        absent = away.get(x.id, {})
        present = [s for s in x.cls.scope(x.subgroup_id) if absent.get(s.id) not in _AWAY]
        pass_fail = x.subject in data.PASS_FAIL_SUBJECTS
        if pass_fail and x.seq % 4 != 3:  # project work is assessed now and then
            continue
        if x.test:
            chosen = present
        else:
            ranked = sorted(present, key=lambda s: (counts[s.id, x.subject, quarter],
                                                    rng.random()))
            chosen = ranked[:rng.randint(*per_lesson)]
        special = data.SUBJECT_WORK.get(x.subject)
        for s in chosen:
            counts[s.id, x.subject, quarter] += 1
            if x.test:
                work = "test"
            else:
                work = rng.choices(("answer", "homework", "quiz", special or "quiz"),
                                   weights=(50, 30, 12, 8))[0]
            level = s.ability + shift.setdefault(
                (s.id, x.subject), rng.choice((-1, 0, 0, 0, 1)))
            level += 1 if work == "test" and rng.random() < 0.3 else 0
            level = min(3, max(0, level))
            value = rng.choices((5, 4, 3, 2), weights=data.MARK_ODDS[level])[0]
            work_type_id, weight = school.work_types[work]
            rows.append({
                "school_id": school.id, "student_id": s.id,
                "subject_id": school.subjects[x.subject], "lesson_id": x.id,
                "work_type_id": work_type_id, "date": x.date,
                "value": None if pass_fail else value,
                "passed": rng.random() < data.PASS_ODDS[level] if pass_fail else None,
                "weight": weight,
                "comment": "Задание не выполнено" if work == "homework" and value == 2 else None,
                "entered_by_id": x.taught_by, "entered_at": school.at(x.date, dt.time(15, 0)),
                "updated_at": None, "external_id": f"M-{len(rows) + 1:06d}"})
    return rows


def _plan_mark_changes(marks: list[dict[str, Any]], today: dt.date,
                       rng: random.Random) -> list[tuple[int, dict[str, Any]]]:
    """About ten marks corrected a few days after they were given: the mark keeps the new
    value, the change row keeps the old one. Returns (mark index, change row)."""
    old_enough = [i for i, m in enumerate(marks)
                  if m["value"] is not None and m["date"] <= today - 5 * DAY]
    changes = []
    for i in sorted(rng.sample(old_enough, min(10, len(old_enough)))):
        mark = marks[i]
        new = mark["value"]
        old = rng.choice([v for v in (2, 3, 4, 5) if abs(v - new) == 1])
        changed_at = mark["entered_at"] + dt.timedelta(days=rng.randint(1, 3), hours=2)
        mark["updated_at"] = changed_at
        changes.append((i, {"action": "updated", "old_value": old, "new_value": new,
                            "changed_by_id": mark["entered_by_id"], "changed_at": changed_at}))
    return changes


def _plan_final_marks(school: _School, classes: Sequence[_Class],
                      marks: Sequence[dict[str, Any]], today: dt.date,
                      postponed_student: int) -> list[dict[str, Any]]:
    """Period marks for every quarter or half-year that has ended: the weighted average
    rounded half up (the school default); one sick student's mark is postponed."""
    terms = [t for t in school.cal.terms if t.kind in (PeriodKind.QUARTER,
                                                       PeriodKind.HALF_YEAR)
             and t.ends_on < today]
    grade_of = {s.id: c.grade for c in classes for s in c.students}
    # (student, subject id, period id) -> [sum of value*weight, sum of weights, passes, count]
    sums: dict[tuple[int, int, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for m in marks:
        for t in terms:
            if t.applies(grade_of[m["student_id"]]) and t.contains(m["date"]):
                acc = sums[m["student_id"], m["subject_id"], t.id]
                if m["value"] is not None:
                    acc[0] += m["value"] * m["weight"]
                    acc[1] += m["weight"]
                acc[2] += bool(m["passed"])
                acc[3] += 1
    rows: list[dict[str, Any]] = []
    postponed_done = False
    for t in terms:
        for c in classes:
            if c.grade == 1 or not t.applies(c.grade):
                continue
            subjects = [(name, school.subjects[name]) for name, _, _ in c.spec.curriculum]
            postponed_subject = None
            if not postponed_done and any(s.id == postponed_student for s in c.students):
                # The subject in which the sick student has the fewest marks.
                postponed_subject = min(subjects, key=lambda ns: sums.get(
                    (postponed_student, ns[1], t.id), [0, 0, 0, 0])[3])[1]
                postponed_done = True
            for s in c.students:
                for name, subject_id in subjects:
                    agg = sums.get((s.id, subject_id, t.id))
                    postponed = (s.id, subject_id) == (postponed_student, postponed_subject)
                    value: int | None = None
                    passed: bool | None = None
                    if postponed:
                        pass
                    elif agg is None:
                        continue  # no marks at all: the journal shows "н/а", not a mark
                    elif name in data.PASS_FAIL_SUBJECTS:
                        passed = agg[2] * 2 >= agg[3]
                    else:
                        value = int(Fraction(agg[0], agg[1]) + Fraction(1, 2))
                    rows.append({
                        "school_id": school.id, "student_id": s.id, "subject_id": subject_id,
                        "period_id": t.id, "kind": FinalMarkKind.PERIOD, "value": value,
                        "passed": passed, "postponed": postponed,
                        "entered_by_id": c.teacher_of(name, s.id),
                        "entered_at": school.at(t.ends_on - DAY, dt.time(16, 0)),
                        "external_id": f"F-{len(rows) + 1:05d}"})
    return rows


async def _add_marks(w: _Writer, school: _School, classes: Sequence[_Class],
                     lessons: Sequence[_Lesson], today: dt.date,
                     away: dict[int, dict[int, AttendanceKind]], postponed_student: int) -> None:
    marks = _plan_marks(school, lessons, today, away, _rng("marks"))
    changes = _plan_mark_changes(marks, today, _rng("mark-changes"))
    mark_ids = await w.ids(Mark, marks)
    await w.rows(MarkChange, [{"mark_id": mark_ids[i], **change} for i, change in changes])
    await w.rows(FinalMark, _plan_final_marks(school, classes, marks, today,
                                              postponed_student))
