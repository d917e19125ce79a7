"""Forecast snapshots: the last forecast a family was told per subject and period, so a
mark change pushes only when it moves the forecast (services.journal), and the weekly
summary refreshes them all in one statement (services.forecast_jobs)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services import clock
from services.calendar import periods_for_grade, reporting_periods
from services.forecast import (
    TOP,
    UNKNOWN_TIMETABLE_CAP,
    SubjectForecast,
    class_forecasts,
    graded_marks,
    marks_needed,
    rounding_threshold,
)
from services.models import ClassGroup, ForecastSnapshot, School, Student, Subject

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
        marks = await graded_marks(session, [student_id], period, [subject_id])
        m = marks.get((student_id, subject_id))
        cap = 0 if period.ends_on < today else (now.lessons_left or UNKNOWN_TIMETABLE_CAP)
        if m is not None:
            need = marks_needed(m.total, m.weights, value=TOP, weight=m.usual,
                                threshold=await rounding_threshold(session, row.school_id),
                                reaches=old, cap=cap)
    return ForecastChange(student_id, subject_id, period.id, period.name, now.subject, old,
                          now.forecast, now.average, need, period.contains(today))


async def store_snapshots(session: AsyncSession,
                          told: Sequence[tuple[int, SubjectForecast]]) -> int:
    """Remember the forecasts told to families (the weekly summary), [(student, forecast)]:
    one upsert for all of them. Returns the rows written."""
    rows = [(student_id, f) for student_id, f in told
            if f.forecast is not None and f.average is not None]
    if not rows:
        return 0
    result = await session.execute(text(
        "INSERT INTO forecast_snapshots (student_id, subject_id, period_id, average, forecast,"
        " updated_at) SELECT s, sub, p, a, f, :now FROM unnest(CAST(:s AS integer[]),"
        " CAST(:sub AS integer[]), CAST(:p AS integer[]), CAST(:a AS numeric[]),"
        " CAST(:f AS smallint[])) AS t(s, sub, p, a, f) "
        "ON CONFLICT (student_id, subject_id, period_id) DO UPDATE SET"
        " average = excluded.average, forecast = excluded.forecast,"
        " updated_at = excluded.updated_at"),
        {"now": clock.now(), "s": [s for s, _ in rows], "sub": [f.subject_id for _, f in rows],
         "p": [f.period_id for _, f in rows], "a": [f.average for _, f in rows],
         "f": [f.forecast for _, f in rows]})
    return int(getattr(result, "rowcount", 0) or 0)
