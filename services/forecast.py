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
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services import clock
from services.access import StudentAccess
from services.calendar import (
    PeriodInfo,
    current_period,
    periods_for_grade,
    reporting_periods,
    year_period,
)
from services.models import (
    ClassGroup,
    CurriculumItem,
    ForecastSnapshot,
    Lesson,
    LessonStatus,
    Mark,
    School,
    Student,
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


async def _marks(session: AsyncSession, student_ids: Sequence[int], period: PeriodInfo,
                 subject_ids: Iterable[int] | None) -> dict[tuple[int, int], _Marks]:
    stmt = (select(Mark.student_id, Mark.subject_id, Mark.value, Mark.weight)
            .join(Subject, Subject.id == Mark.subject_id)
            .where(Mark.student_id.in_(student_ids), Mark.deleted_at.is_(None),
                   Mark.value.is_not(None), Subject.pass_fail.is_(False),
                   Mark.date.between(period.starts_on, period.ends_on)))
    if subject_ids is not None:
        stmt = stmt.where(Mark.subject_id.in_(list(subject_ids)))
    grouped: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for r in (await session.execute(stmt)).all():
        grouped[(r.student_id, r.subject_id)].append((r.value, r.weight))
    return {key: _Marks(sum(v * w for v, w in pairs), sum(w for _, w in pairs), len(pairs),
                        usual_weight([w for _, w in pairs]))
            for key, pairs in grouped.items()}


async def _lessons_left(session: AsyncSession, class_id: int, student_ids: Sequence[int],
                        period: PeriodInfo, today: dt.date,
                        subject_ids: Iterable[int] | None) -> dict[tuple[int, int], int]:
    """Remaining lessons (today's included) of each subject per student until period end,
    counting subgroup lessons only for the subgroup's members. Two queries."""
    if period.ends_on < today:
        return {}
    on = func.coalesce(Lesson.moved_to_date, Lesson.date)
    stmt = (select(Lesson.subject_id, Lesson.subgroup_id, func.count())
            .where(Lesson.class_id == class_id,
                   Lesson.status.in_([LessonStatus.SCHEDULED, LessonStatus.REPLACED,
                                      LessonStatus.MOVED]),
                   on >= today, on <= period.ends_on)
            .group_by(Lesson.subject_id, Lesson.subgroup_id))
    if subject_ids is not None:
        stmt = stmt.where(Lesson.subject_id.in_(list(subject_ids)))
    counts = (await session.execute(stmt)).all()
    members: dict[int, set[int]] = defaultdict(set)
    if any(r.subgroup_id is not None for r in counts):
        for m in (await session.execute(
            select(SubgroupMember.student_id, SubgroupMember.subgroup_id)
            .join(Subgroup, Subgroup.id == SubgroupMember.subgroup_id)
            .where(SubgroupMember.student_id.in_(student_ids), Subgroup.class_id == class_id)
        )).all():
            members[m.student_id].add(m.subgroup_id)
    result: dict[tuple[int, int], int] = defaultdict(int)
    for student_id in student_ids:
        for r in counts:
            if r.subgroup_id is None or r.subgroup_id in members[student_id]:
                result[(student_id, r.subject_id)] += r[2]
    return dict(result)


async def _subjects(session: AsyncSession, class_id: int,
                    subject_ids: Iterable[int] | None) -> list[tuple[int, str]]:
    stmt = (select(Subject.id, Subject.name)
            .join(CurriculumItem, CurriculumItem.subject_id == Subject.id)
            .where(CurriculumItem.class_id == class_id, Subject.pass_fail.is_(False))
            .order_by(Subject.name))
    if subject_ids is not None:
        stmt = stmt.where(Subject.id.in_(list(subject_ids)))
    return [(r.id, r.name) for r in (await session.execute(stmt)).all()]


async def _threshold(session: AsyncSession, school_id: int) -> float:
    value = await session.scalar(select(School.rounding_threshold).where(School.id == school_id))
    return float(value if value is not None else 0.5)


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
    subject_filter = list(subject_ids) if subject_ids is not None else None
    threshold = await _threshold(session, school_id)
    subjects = await _subjects(session, class_id, subject_filter)
    marks = await _marks(session, student_ids, period, subject_filter)
    left = await _lessons_left(session, class_id, student_ids, period, today, subject_filter)
    known = {sid for sid, _ in subjects}
    extra_ids = {subject for (_, subject) in marks if subject not in known}
    if extra_ids:  # marks in a subject outside the curriculum still count
        rows = await session.execute(select(Subject.id, Subject.name)
                                     .where(Subject.id.in_(extra_ids)))
        subjects = sorted([*subjects, *((r.id, r.name) for r in rows)], key=lambda s: s[1])
    return {
        student_id: [_forecast(sid, name, period, marks.get((student_id, sid)),
                               left.get((student_id, sid), 0), threshold, today)
                     for sid, name in subjects]
        for student_id in student_ids
    }


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


# --- change detection -------------------------------------------------------------------


@dataclass(frozen=True)
class ForecastChange:
    """The forecast of a subject moved: old → new; `need` 5s would bring back `old`."""

    student_id: int
    subject_id: int
    period_id: int
    period: str
    subject: str
    old: int
    new: int
    average: Decimal
    need: int | None
    current: bool  # the period is the current one (worth a push)


async def refresh_snapshot(session: AsyncSession, student_id: int, subject_id: int,
                           on_date: dt.date) -> ForecastChange | None:
    """Recompute the forecast of the period containing `on_date` and keep the snapshot in
    step. The first computation only stores it; a different forecast is returned."""
    row = (await session.execute(
        select(Student.school_id, Student.class_id, ClassGroup.grade, School.timezone,
               Subject.pass_fail)
        .join(ClassGroup, ClassGroup.id == Student.class_id)
        .join(School, School.id == Student.school_id)
        .join(Subject, Subject.id == subject_id)
        .where(Student.id == student_id)
    )).one_or_none()
    if row is None or row.grade <= 1 or row.pass_fail:
        return None
    periods = reporting_periods(await periods_for_grade(session, row.school_id, row.grade))
    period = next((p for p in periods if p.contains(on_date)), None)
    if period is None:
        return None
    today = clock.today(row.timezone)
    found = await class_forecasts(session, school_id=row.school_id, class_id=row.class_id,
                                  grade=row.grade, student_ids=[student_id], today=today,
                                  period=period, subject_ids=[subject_id])
    now = next((f for f in found[student_id] if f.subject_id == subject_id), None)
    snapshot = await session.get(ForecastSnapshot, (student_id, subject_id, period.id))
    if now is None or now.forecast is None or now.average is None:
        if snapshot is not None:
            await session.delete(snapshot)
        return None
    if snapshot is None:
        session.add(ForecastSnapshot(student_id=student_id, subject_id=subject_id,
                                     period_id=period.id, average=now.average,
                                     forecast=now.forecast, updated_at=clock.now()))
        return None
    old = snapshot.forecast
    snapshot.average = now.average  # type: ignore[assignment]
    snapshot.forecast = now.forecast
    snapshot.updated_at = clock.now()
    if old == now.forecast:
        return None
    need = None
    if now.forecast < old:
        marks = await _marks(session, [student_id], period, [subject_id])
        m = marks.get((student_id, subject_id))
        cap = 0 if period.ends_on < today else (now.lessons_left or UNKNOWN_TIMETABLE_CAP)
        if m is not None:
            need = marks_needed(m.total, m.weights, value=TOP, weight=m.usual,
                                threshold=await _threshold(session, row.school_id),
                                reaches=old, cap=cap)
    return ForecastChange(student_id, subject_id, period.id, period.name, now.subject, old,
                          now.forecast, now.average, need, period.contains(today))


async def store_snapshots(session: AsyncSession, student_id: int,
                          forecasts: Sequence[SubjectForecast]) -> dict[int, int]:
    """Remember forecasts told to the family (the weekly summary); returns the previous
    forecast per subject where one was stored."""
    if not forecasts:
        return {}
    period_ids = {f.period_id for f in forecasts}
    old = {(s.subject_id, s.period_id): s for s in (await session.scalars(
        select(ForecastSnapshot).where(ForecastSnapshot.student_id == student_id,
                                       ForecastSnapshot.period_id.in_(period_ids))
    )).all()}
    previous: dict[int, int] = {}
    for f in forecasts:
        if f.forecast is None or f.average is None:
            continue
        snap = old.get((f.subject_id, f.period_id))
        if snap is None:
            session.add(ForecastSnapshot(student_id=student_id, subject_id=f.subject_id,
                                         period_id=f.period_id, average=f.average,
                                         forecast=f.forecast, updated_at=clock.now()))
        else:
            previous[f.subject_id] = snap.forecast
            snap.average = f.average  # type: ignore[assignment]
            snap.forecast = f.forecast
            snap.updated_at = clock.now()
    return previous
