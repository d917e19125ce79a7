"""The term forecast: per subject, the weighted average of the current period's marks,
the period mark it rounds to by the school's rule, and what it takes to go up (or down).

Rounding: the average is first shown to two decimals (half up); the fraction at which it
rounds up is the school's `rounding_threshold` (0.5: 3.5 → 4; 0.6: 3.5 → 3, 3.6 → 4).
Pass/fail marks and pass/fail subjects do not count.

"What it takes": the least number of further 5s, each with the student's usual weight in
that subject (the most common one, default 1), that lifts the forecast one step. It is out of
reach when more are needed than lessons of the subject remain in the period (or 10 when
the timetable is not known). The converse risk: how many further 2s would drop it a step.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services import clock
from services.access import StudentAccess
from services.calendar import (
    PeriodInfo,
    current_period,
    periods_for_grade,
    year_period,
)
from services.models import (
    CurriculumItem,
    Lesson,
    LessonStatus,
    Mark,
    School,
    Subgroup,
    SubgroupMember,
    Subject,
)

TOP, LOW = 5, 2
UNKNOWN_TIMETABLE_CAP = 10
CENT = Decimal("0.01")


# --- arithmetic -------------------------------------------------------------------------


def shown_average(avg: Fraction) -> Decimal:
    """The average as people see it: two decimals, half up."""
    return (Decimal(avg.numerator) / Decimal(avg.denominator)).quantize(CENT, ROUND_HALF_UP)


def round_mark(avg: Fraction | Decimal | float, threshold: float | Decimal = 0.5) -> int:
    """The period mark an average rounds to: up from `threshold` (0.5: 2.5 → 3, 4.5 → 5)."""
    shown = shown_average(Fraction(avg)) if not isinstance(avg, Decimal) else avg.quantize(
        CENT, ROUND_HALF_UP)
    whole = shown.to_integral_value(ROUND_FLOOR)
    mark = int(whole) + (1 if shown - whole >= Decimal(str(threshold)) else 0)
    return max(1, min(5, mark))


def weighted_average(marks: Iterable[tuple[int, int]]) -> Fraction | None:
    """(value, weight) pairs → exact weighted average, None without marks."""
    total = weights = 0
    for value, weight in marks:
        total += value * weight
        weights += weight
    return Fraction(total, weights) if weights else None


@functools.lru_cache(maxsize=65536)  # pure; a school's students share most (total, weights)
def marks_needed(total: int, weights: int, *, value: int, weight: int, threshold: float,
                 reaches: int, cap: int, upward: bool = True) -> int | None:
    """Least n ≤ cap of further marks `value` (each `weight`) after which the forecast is
    ≥ `reaches` (upward) or < `reaches` (downward); None when more than `cap` are needed."""
    for n in range(1, cap + 1):
        mark = round_mark(Fraction(total + value * weight * n, weights + weight * n), threshold)
        if (mark >= reaches) if upward else (mark < reaches):
            return n
    return None


def usual_weight(weights: Sequence[int]) -> int:
    """The most common weight (ties: the smaller, so the estimate errs on the safe side)."""
    if not weights:
        return 1
    counts = Counter(weights)
    return min(counts, key=lambda w: (-counts[w], w))


# --- forecasts --------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectForecast:
    subject_id: int
    subject: str
    period_id: int
    period: str
    ends_on: dt.date
    marks: int  # graded marks counted
    average: Decimal | None  # None: no marks yet
    forecast: int | None
    weight: int  # the usual weight of this student's marks in the subject
    lessons_left: int
    target: int | None  # the next mark up, None at 5 or without marks
    need: int | None  # 5s needed to reach target; None: out of reach (or no target)
    risk_target: int | None  # the mark a run of 2s would drop it to
    risk: int | None  # 2s that would drop it; None: cannot within the lessons left

    @property
    def out_of_reach(self) -> bool:
        return self.target is not None and self.need is None


@dataclass(frozen=True)
class _Marks:
    total: int
    weights: int
    count: int
    usual: int


def _forecast(subject_id: int, subject: str, period: PeriodInfo, marks: _Marks | None,
              lessons_left: int, threshold: float, today: dt.date) -> SubjectForecast:
    if period.ends_on < today:
        cap = 0
    else:
        cap = lessons_left if lessons_left > 0 else UNKNOWN_TIMETABLE_CAP
    if marks is None or marks.weights == 0:
        return SubjectForecast(subject_id, subject, period.id, period.name, period.ends_on, 0,
                               None, None, marks.usual if marks else 1, lessons_left,
                               None, None, None, None)
    avg = Fraction(marks.total, marks.weights)
    forecast = round_mark(avg, threshold)
    target = forecast + 1 if forecast < TOP else None
    need = None if target is None else marks_needed(
        marks.total, marks.weights, value=TOP, weight=marks.usual, threshold=threshold,
        reaches=target, cap=cap)
    risk_target = forecast - 1 if forecast > LOW else None
    risk = None if risk_target is None else marks_needed(
        marks.total, marks.weights, value=LOW, weight=marks.usual, threshold=threshold,
        reaches=forecast, cap=cap, upward=False)
    return SubjectForecast(subject_id, subject, period.id, period.name, period.ends_on,
                           marks.count, shown_average(avg), forecast, marks.usual,
                           lessons_left, target, need, risk_target, risk)


async def graded_marks(session: AsyncSession, student_ids: Sequence[int], period: PeriodInfo,
                 subject_ids: Iterable[int] | None) -> dict[tuple[int, int], _Marks]:
    """Each student's graded marks of the period per subject, summed per weight in SQL (a
    class or a whole school in one statement)."""
    stmt = (select(Mark.student_id, Mark.subject_id, Mark.weight,
                   func.sum(Mark.value).label("total"), func.count().label("n"))
            .join(Subject, Subject.id == Mark.subject_id)
            .where(Mark.student_id.in_(student_ids), Mark.deleted_at.is_(None),
                   Mark.value.is_not(None), Subject.pass_fail.is_(False),
                   Mark.date.between(period.starts_on, period.ends_on))
            .group_by(Mark.student_id, Mark.subject_id, Mark.weight))
    if subject_ids is not None:
        stmt = stmt.where(Mark.subject_id.in_(list(subject_ids)))
    grouped: dict[tuple[int, int], list[tuple[int, int, int]]] = defaultdict(list)
    for r in (await session.execute(stmt)).all():
        grouped[(r.student_id, r.subject_id)].append((r.weight, int(r.total), int(r.n)))
    result = {}
    for key, by_weight in grouped.items():
        # The usual weight: the most common one, ties to the smaller (as `usual_weight`).
        usual = min(by_weight, key=lambda g: (-g[2], g[0]))[0]
        result[key] = _Marks(sum(w * total for w, total, _ in by_weight),
                             sum(w * n for w, _, n in by_weight),
                             sum(n for _, _, n in by_weight), usual)
    return result


async def _lessons_left(session: AsyncSession, classes: dict[int, Sequence[int]],
                        period: PeriodInfo, today: dt.date,
                        subject_ids: Iterable[int] | None) -> dict[tuple[int, int], int]:
    """Remaining lessons (today's included) of each subject per student until period end,
    counting subgroup lessons only for the subgroup's members; `classes` maps each class
    to its students. Two queries however many classes."""
    if period.ends_on < today or not classes:
        return {}
    on = func.coalesce(Lesson.moved_to_date, Lesson.date)
    stmt = (select(Lesson.class_id, Lesson.subject_id, Lesson.subgroup_id, func.count())
            .where(Lesson.class_id.in_(list(classes)),
                   Lesson.status.in_([LessonStatus.SCHEDULED, LessonStatus.REPLACED,
                                      LessonStatus.MOVED]),
                   on >= today, on <= period.ends_on)
            .group_by(Lesson.class_id, Lesson.subject_id, Lesson.subgroup_id))
    if subject_ids is not None:
        stmt = stmt.where(Lesson.subject_id.in_(list(subject_ids)))
    counts: dict[int, list[Any]] = defaultdict(list)
    for r in (await session.execute(stmt)).all():
        counts[r.class_id].append(r)
    members: dict[int, set[int]] = defaultdict(set)
    if any(r.subgroup_id is not None for rows in counts.values() for r in rows):
        student_ids = [s for ids in classes.values() for s in ids]
        for m in (await session.execute(
            select(SubgroupMember.student_id, SubgroupMember.subgroup_id)
            .join(Subgroup, Subgroup.id == SubgroupMember.subgroup_id)
            .where(SubgroupMember.student_id.in_(student_ids),
                   Subgroup.class_id.in_(list(classes)))
        )).all():
            members[m.student_id].add(m.subgroup_id)
    result: dict[tuple[int, int], int] = defaultdict(int)
    for class_id, ids in classes.items():
        for student_id in ids:
            for r in counts.get(class_id, []):
                if r.subgroup_id is None or r.subgroup_id in members[student_id]:
                    result[(student_id, r.subject_id)] += r[3]
    return dict(result)


async def _subjects(session: AsyncSession, class_ids: Sequence[int],
                    subject_ids: Iterable[int] | None) -> dict[int, list[tuple[int, str]]]:
    """{class: its curriculum's graded subjects by name} (one query)."""
    stmt = (select(CurriculumItem.class_id, Subject.id, Subject.name)
            .join(CurriculumItem, CurriculumItem.subject_id == Subject.id)
            .where(CurriculumItem.class_id.in_(list(class_ids)), Subject.pass_fail.is_(False))
            .order_by(Subject.name, Subject.id))
    if subject_ids is not None:
        stmt = stmt.where(Subject.id.in_(list(subject_ids)))
    result: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for r in (await session.execute(stmt)).all():
        result[r.class_id].append((r.id, r.name))
    return result


async def rounding_threshold(session: AsyncSession, school_id: int) -> float:
    value = await session.scalar(select(School.rounding_threshold).where(School.id == school_id))
    return float(value if value is not None else 0.5)


@dataclass(frozen=True)
class ForecastGroup:
    """Students of one class whose forecasts are for one period."""

    class_id: int
    period: PeriodInfo
    student_ids: Sequence[int]


async def group_forecasts(session: AsyncSession, school_id: int,
                          groups: Sequence[ForecastGroup], today: dt.date,
                          subject_ids: Iterable[int] | None = None,
                          ) -> dict[int, list[SubjectForecast]]:
    """Forecasts of many classes' students (a whole school): a fixed number of aggregate
    queries per distinct period, however many classes, students and subjects."""
    groups = [g for g in groups if g.student_ids]
    if not groups:
        return {}
    subject_filter = list(subject_ids) if subject_ids is not None else None
    threshold = await rounding_threshold(session, school_id)
    curriculum = await _subjects(session, [g.class_id for g in groups], subject_filter)
    by_period: dict[PeriodInfo, list[ForecastGroup]] = defaultdict(list)
    for g in groups:
        by_period[g.period].append(g)
    marks: dict[tuple[int, int], _Marks] = {}
    left: dict[tuple[int, int], int] = {}
    for period, same in by_period.items():
        marks.update(await graded_marks(session, [s for g in same for s in g.student_ids], period,
                                  subject_filter))
        left.update(await _lessons_left(session, {g.class_id: g.student_ids for g in same},
                                        period, today, subject_filter))
    class_of = {s: g.class_id for g in groups for s in g.student_ids}
    extra: dict[int, set[int]] = defaultdict(set)  # marks outside the curriculum still count
    for (student_id, subject) in marks:
        class_id = class_of[student_id]
        if subject not in {sid for sid, _ in curriculum.get(class_id, [])}:
            extra[class_id].add(subject)
    if extra:
        names = dict((await session.execute(
            select(Subject.id, Subject.name)
            .where(Subject.id.in_({s for ids in extra.values() for s in ids})))).tuples().all())
        for class_id, ids in extra.items():
            curriculum[class_id] = sorted([*curriculum.get(class_id, []),
                                           *((s, names[s]) for s in ids)], key=lambda s: s[1])
    return {
        student_id: [_forecast(sid, name, g.period, marks.get((student_id, sid)),
                               left.get((student_id, sid), 0), threshold, today)
                     for sid, name in curriculum.get(g.class_id, [])]
        for g in groups for student_id in g.student_ids
    }


async def class_forecasts(session: AsyncSession, *, school_id: int, class_id: int, grade: int,
                          student_ids: Sequence[int], today: dt.date,
                          period: PeriodInfo | None = None,
                          subject_ids: Iterable[int] | None = None,
                          ) -> dict[int, list[SubjectForecast]]:
    """Forecasts of several students of one class for the current (or given) period: a
    fixed number of queries however many students and subjects."""
    if grade <= 1 or not student_ids:
        return {s: [] for s in student_ids}
    if period is None:
        period = current_period(await periods_for_grade(session, school_id, grade), today)
        if period is None:
            return {s: [] for s in student_ids}
    return await group_forecasts(session, school_id,
                                 [ForecastGroup(class_id, period, student_ids)], today,
                                 subject_ids)


@dataclass(frozen=True)
class StudentForecast:
    period: PeriodInfo | None  # None: no reporting period (or a first-grader)
    today: dt.date
    subjects: list[SubjectForecast]


async def student_forecast(session: AsyncSession, access: StudentAccess,
                           today: dt.date | None = None, *,
                           year: bool = False) -> StudentForecast:
    """The current period (or, with `year`, the school year: every current mark since
    September) and every visible subject's forecast for one student."""
    child = access.child
    if today is None:
        tz = await session.scalar(select(School.timezone).where(School.id == child.school_id))
        today = clock.today(tz or "Europe/Moscow")
    if not child.gets_marks or child.class_id is None or child.grade is None:
        return StudentForecast(None, today, [])
    periods = await periods_for_grade(session, child.school_id, child.grade)
    period = year_period(periods) if year else current_period(periods, today)
    if period is None:
        return StudentForecast(None, today, [])
    found = await class_forecasts(session, school_id=child.school_id, class_id=child.class_id,
                                  grade=child.grade, student_ids=[child.student_id],
                                  today=today, period=period, subject_ids=access.subject_ids)
    return StudentForecast(period, today, found[child.student_id])


async def forecast_for_student(session: AsyncSession, access: StudentAccess,
                               today: dt.date | None = None) -> list[SubjectForecast]:
    """Every subject's forecast for one student the caller may see (access checked by
    services.access; a subject teacher sees only their subjects). First-graders: none."""
    return (await student_forecast(session, access, today)).subjects
