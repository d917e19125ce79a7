"""Scheduled work: the delivery tick and the school-time jobs.

One APScheduler 3 `AsyncIOScheduler` per bot process. Jobs that belong to a wall-clock time
in a school (Friday 18:00 forecast summary, 19:00 homework reminder, 08:00 staff reminder,
the two-weeks-before-period-end risk list) run every few minutes and act for each school
whose local time has reached the slot (within a few hours of it). Each run happens ONCE
however many processes run the scheduler: the work runs in one transaction that first takes
`pg_try_advisory_xact_lock` on the run key and then inserts the `JobRun` row with
ON CONFLICT DO NOTHING; only the process whose insert succeeded does the work, and a failed
run rolls back its JobRun row so the next tick retries it.

The jobs only write outbox rows (through services.notifications, which applies each chat's
preferences); the delivery worker sends them. Digests need no job: they are rows due at the
digest time.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import holidays as public_holidays
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services import clock, forecast
from services import push_events as ev
from services.calendar import PeriodInfo, periods_for_grade, reporting_periods
from services.models import (
    Attendance,
    ClassGroup,
    FinalMark,
    FinalMarkKind,
    Homework,
    JobRun,
    Lesson,
    LessonStatus,
    Mark,
    Period,
    PeriodKind,
    School,
    Student,
    StudentStatus,
    SubgroupMember,
    Subject,
)
from services.notifications import (
    Push,
    SchoolClock,
    family_recipients,
    notify_staff,
    notify_students,
)

log = logging.getLogger(__name__)

DELIVERY_SECONDS = 3
SCHOOL_JOBS_MINUTES = 5
SLOT_WINDOW = dt.timedelta(hours=3)  # a slot missed for longer than this is skipped
WEEKLY_FORECAST_AT = (5, dt.time(18, 0))  # ISO weekday (Friday), local time
HOMEWORK_EVE_AT = dt.time(19, 0)
STAFF_REMINDER_AT = dt.time(8, 0)
RISK_AT = dt.time(18, 0)
RISK_DAYS_BEFORE = 14  # the risk list goes out two weeks before a period ends
RISK_GRACE_DAYS = 7  # ... or up to a week later if the bot was down then
MARKING_DEADLINE_DAYS = 5  # 002 §5.2: marks and absences within 5 days of the lesson
STAFF_LOOKBACK_DAYS = 30
STAFF_ITEMS_MAX = 40

Sessionmaker = async_sessionmaker[AsyncSession]


# --- running once across processes ------------------------------------------------------


def _lock_id(job: str, run_key: str) -> int:
    digest = hashlib.sha256(f"{job}\x00{run_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def run_once(sessionmaker: Sessionmaker, job: str, run_key: str,
                   work: Callable[[AsyncSession], Awaitable[int]]) -> int | None:
    """Run `work` in one transaction unless this (job, run_key) ran or is running
    elsewhere; returns its result, or None when another process has it."""
    async with sessionmaker.begin() as session:
        locked = await session.scalar(select(func.pg_try_advisory_xact_lock(
            _lock_id(job, run_key))))
        if not locked:
            return None
        claimed = await session.scalar(
            insert(JobRun).values(job=job, run_key=run_key, started_at=clock.now())
            .on_conflict_do_nothing().returning(JobRun.job))
        if claimed is None:
            return None
        result = await work(session)
        await session.execute(update(JobRun).where(JobRun.job == job, JobRun.run_key == run_key)
                              .values(finished_at=clock.now()))
    log.info("job %s %s done: %s", job, run_key, result)
    return result


# --- schools and their local time -------------------------------------------------------


async def _schools(session: AsyncSession) -> list[SchoolClock]:
    rows = (await session.execute(
        select(School.id, School.timezone, School.quiet_start, School.quiet_end,
               School.backfill_days).order_by(School.id))).all()
    return [SchoolClock(r.id, r.timezone, r.quiet_start, r.quiet_end, r.backfill_days)
            for r in rows]


def _slot_reached(local: dt.datetime, at: dt.time) -> bool:
    start = dt.datetime.combine(local.date(), at, tzinfo=local.tzinfo)
    return start <= local < start + SLOT_WINDOW


async def _school_holidays(session: AsyncSession, school_id: int) -> list[PeriodInfo]:
    rows = (await session.scalars(select(Period).where(
        Period.school_id == school_id, Period.kind == PeriodKind.HOLIDAYS,
        Period.grade_min <= 1, Period.grade_max >= 11))).all()
    return [PeriodInfo(p.id, p.kind, p.number, p.name, p.starts_on, p.ends_on) for p in rows]


def is_working_day(day: dt.date, school_holidays: Sequence[PeriodInfo] = ()) -> bool:
    """Mon-Fri, not a Russian public holiday, not the school's holidays."""
    if day.weekday() >= 5 or day in public_holidays.country_holidays("RU", years=day.year):
        return False
    return not any(h.contains(day) for h in school_holidays)


async def _classes(session: AsyncSession, school_id: int,
                   grades: tuple[int, int] = (2, 11)) -> list[Any]:
    """The school's classes of the current academic year with marks (grade 2+)."""
    return list((await session.execute(
        select(ClassGroup.id, ClassGroup.name, ClassGroup.grade)
        .where(ClassGroup.school_id == school_id, ClassGroup.grade.between(*grades))
        .order_by(ClassGroup.grade, ClassGroup.name))).all())


async def _students_by_class(session: AsyncSession,
                             class_ids: Sequence[int]) -> dict[int, list[int]]:
    rows = (await session.execute(
        select(Student.class_id, Student.id)
        .where(Student.class_id.in_(class_ids), Student.status == StudentStatus.ACTIVE)
        .order_by(Student.id))).all()
    result: dict[int, list[int]] = defaultdict(list)
    for r in rows:
        result[r.class_id].append(r.id)
    return result


# --- the weekly forecast summary (Friday 18:00) -----------------------------------------


def _item(f: forecast.SubjectForecast) -> dict[str, Any]:
    return {"subject": f.subject, "average": float(f.average or 0), "forecast": f.forecast,
            "need": f.need, "target": f.target}


async def weekly_forecasts(session: AsyncSession, school: SchoolClock, today: dt.date) -> int:
    """Every followed student's forecast per subject; snapshots are refreshed (the family
    has now been told these forecasts)."""
    classes = await _classes(session, school.school_id)
    students = await _students_by_class(session, [c.id for c in classes])
    year, week, _ = today.isocalendar()
    queued = 0
    for c in classes:
        followed = await family_recipients(session, students.get(c.id, []))
        ids = [s for s in students.get(c.id, []) if s in followed]
        if not ids:
            continue
        found = await forecast.class_forecasts(session, school_id=school.school_id,
                                               class_id=c.id, grade=c.grade,
                                               student_ids=ids, today=today)
        pushes = []
        for student_id in ids:
            items = [f for f in found[student_id] if f.forecast is not None]
            if not items:
                continue
            await forecast.store_snapshots(session, student_id, items)
            pushes.append((student_id, Push(
                ev.ForecastWeeklyEvent(period=items[0].period,
                                       items=tuple(ev.WeeklyItem(**_item(f)) for f in items)),
                f"forecast-weekly:{year}-W{week:02d}:{student_id}")))
        queued += await notify_students(session, school, pushes)
    return queued


# --- two weeks before a period ends: subjects at risk -----------------------------------


async def _previous_finals(session: AsyncSession, student_ids: Sequence[int],
                           period: PeriodInfo, periods: Sequence[PeriodInfo],
                           ) -> dict[tuple[int, int], int]:
    earlier = [p for p in periods if p.kind == period.kind and p.ends_on < period.starts_on]
    if not earlier:
        return {}
    rows = (await session.execute(
        select(FinalMark.student_id, FinalMark.subject_id, FinalMark.value)
        .where(FinalMark.student_id.in_(student_ids), FinalMark.period_id == earlier[-1].id,
               FinalMark.kind == FinalMarkKind.PERIOD, FinalMark.value.is_not(None)))).all()
    return {(r.student_id, r.subject_id): r.value for r in rows}


async def period_risks(session: AsyncSession, school: SchoolClock, period: PeriodInfo,
                       grades: tuple[int, int], today: dt.date) -> int:
    """Per child, the subjects whose forecast is 3 or lower, or lower than last period's
    mark."""
    classes = await _classes(session, school.school_id, (max(2, grades[0]), grades[1]))
    students = await _students_by_class(session, [c.id for c in classes])
    queued = 0
    for c in classes:
        followed = await family_recipients(session, students.get(c.id, []))
        ids = [s for s in students.get(c.id, []) if s in followed]
        if not ids:
            continue
        periods = reporting_periods(await periods_for_grade(session, school.school_id, c.grade))
        found = await forecast.class_forecasts(session, school_id=school.school_id,
                                               class_id=c.id, grade=c.grade, student_ids=ids,
                                               today=today, period=period)
        previous = await _previous_finals(session, ids, period, periods)
        pushes = []
        for student_id in ids:
            items = []
            for f in found[student_id]:
                if f.forecast is None:
                    continue
                before = previous.get((student_id, f.subject_id))
                if f.forecast <= 3 or (before is not None and f.forecast < before):
                    items.append({"subject": f.subject, "average": float(f.average or 0),
                                  "forecast": f.forecast, "previous": before})
            if items:
                pushes.append((student_id, Push(
                    ev.ForecastRiskEvent.from_payload({
                        "period": period.name, "ends_on": period.ends_on.isoformat(),
                        "items": items}),
                    f"period-risk:{period.id}:{student_id}")))
        queued += await notify_students(session, school, pushes)
    return queued


# --- the evening before: homework due tomorrow, to students -----------------------------


async def homework_eve(session: AsyncSession, school: SchoolClock, today: dt.date) -> int:
    tomorrow = today + dt.timedelta(days=1)
    rows = (await session.execute(
        select(Homework.class_id, Homework.subgroup_id, Homework.student_id, Homework.text,
               Subject.name.label("subject"))
        .join(Subject, Subject.id == Homework.subject_id)
        .where(Homework.school_id == school.school_id, Homework.due_on == tomorrow)
        .order_by(Subject.name, Homework.id))).all()
    if not rows:
        return 0
    class_ids = sorted({r.class_id for r in rows})
    students = await _students_by_class(session, class_ids)
    subgroup_ids = sorted({r.subgroup_id for r in rows if r.subgroup_id is not None})
    members: dict[int, set[int]] = defaultdict(set)
    if subgroup_ids:
        for m in (await session.execute(select(SubgroupMember.subgroup_id,
                                               SubgroupMember.student_id)
                                        .where(SubgroupMember.subgroup_id.in_(subgroup_ids)))):
            members[m.subgroup_id].add(m.student_id)
    items: dict[int, list[dict[str, str]]] = defaultdict(list)
    for r in rows:
        if r.student_id is not None:
            audience = [r.student_id]
        elif r.subgroup_id is not None:
            audience = [s for s in students.get(r.class_id, []) if s in members[r.subgroup_id]]
        else:
            audience = students.get(r.class_id, [])
        for student_id in audience:
            items[student_id].append({"subject": r.subject, "text": r.text[:600]})
    pushes = [(student_id, Push(ev.HomeworkTomorrowEvent(
                                    due_on=tomorrow,
                                    items=tuple(ev.HomeworkItem(**i) for i in found)),
                                f"homework-eve:{tomorrow.isoformat()}:{student_id}"))
              for student_id, found in sorted(items.items())]
    return await notify_students(session, school, pushes, students_only=True)


# --- staff: lessons past the 5-day deadline with nothing entered ------------------------


async def unmarked_lessons(session: AsyncSession, school_id: int,
                           today: dt.date) -> dict[int, list[dict[str, Any]]]:
    """Per teacher (the substitute for a replaced lesson), lessons held 5+ days ago with no
    marks and no attendance entered. First grade is left out: it gets no marks, and a
    lesson everyone attended leaves no trace to check."""
    any_mark = exists().where(
        Mark.deleted_at.is_(None),
        or_(Mark.lesson_id == Lesson.id,
            and_(Mark.lesson_id.is_(None), Mark.subject_id == Lesson.subject_id,
                 Mark.date == Lesson.date,
                 Mark.student_id.in_(select(Student.id).where(
                     Student.class_id == Lesson.class_id)))))
    any_attendance = exists().where(Attendance.lesson_id == Lesson.id)
    rows = (await session.execute(
        select(Lesson.date, Lesson.slot, ClassGroup.name.label("klass"),
               Subject.name.label("subject"),
               func.coalesce(Lesson.substitute_id, Lesson.teacher_id).label("teacher"))
        .join(ClassGroup, ClassGroup.id == Lesson.class_id)
        .join(Subject, Subject.id == Lesson.subject_id)
        .where(Lesson.school_id == school_id, ClassGroup.grade > 1,
               Lesson.status.in_([LessonStatus.HELD, LessonStatus.REPLACED,
                                  LessonStatus.SCHEDULED]),
               Lesson.date.between(today - dt.timedelta(days=STAFF_LOOKBACK_DAYS),
                                   today - dt.timedelta(days=MARKING_DEADLINE_DAYS)),
               ~any_mark, ~any_attendance)
        .order_by(Lesson.date, Lesson.slot, ClassGroup.name))).all()
    result: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        result[r.teacher].append({"class": r.klass, "subject": r.subject,
                                  "date": r.date.isoformat(), "slot": r.slot})
    return dict(result)


async def staff_reminders(session: AsyncSession, school: SchoolClock, today: dt.date) -> int:
    found = await unmarked_lessons(session, school.school_id, today)
    pushes = [(staff_id, Push(ev.UnmarkedLessonsEvent.from_payload(
                                  {"items": items[:STAFF_ITEMS_MAX]}),
                              f"staff-unmarked:{today.isoformat()}:{staff_id}"))
              for staff_id, items in sorted(found.items())]
    return await notify_staff(session, school, pushes)


# --- the tick ---------------------------------------------------------------------------


async def _risk_periods(session: AsyncSession, school_id: int,
                        today: dt.date) -> list[tuple[PeriodInfo, tuple[int, int]]]:
    rows = (await session.scalars(select(Period).where(
        Period.school_id == school_id,
        Period.kind.in_([PeriodKind.QUARTER, PeriodKind.HALF_YEAR]),
        Period.ends_on.between(today + dt.timedelta(days=RISK_DAYS_BEFORE - RISK_GRACE_DAYS),
                               today + dt.timedelta(days=RISK_DAYS_BEFORE))))).all()
    return [(PeriodInfo(p.id, p.kind, p.number, p.name, p.starts_on, p.ends_on),
             (p.grade_min, p.grade_max)) for p in rows]


async def run_school_jobs(sessionmaker: Sessionmaker) -> dict[str, int]:
    """Act for every school whose local time has reached a slot; returns {run key: rows
    queued} for the runs this process did."""
    async with sessionmaker() as session:
        schools = await _schools(session)
    done: dict[str, int] = {}

    async def once(job: str, key: str, work: Callable[[AsyncSession], Awaitable[int]]) -> None:
        result = await run_once(sessionmaker, job, key, work)
        if result is not None:
            done[key] = result

    for school in schools:
        local = clock.now().astimezone(ZoneInfo(school.timezone))
        today = local.date()
        weekday, at = WEEKLY_FORECAST_AT
        if local.isoweekday() == weekday and _slot_reached(local, at):
            year, week, _ = today.isocalendar()
            await once("forecast-weekly", f"forecast-weekly:{school.school_id}:{year}-W{week:02d}",
                       functools.partial(_call, weekly_forecasts, school, today))
        if _slot_reached(local, HOMEWORK_EVE_AT):
            await once("homework-eve", f"homework-eve:{school.school_id}:{today.isoformat()}",
                       functools.partial(_call, homework_eve, school, today))
        if _slot_reached(local, STAFF_REMINDER_AT):
            async with sessionmaker() as session:
                working = is_working_day(today, await _school_holidays(session,
                                                                       school.school_id))
            if working:
                await once("staff-unmarked",
                           f"staff-unmarked:{school.school_id}:{today.isoformat()}",
                           functools.partial(_call, staff_reminders, school, today))
        if _slot_reached(local, RISK_AT):
            async with sessionmaker() as session:
                periods = await _risk_periods(session, school.school_id, today)
            for period, grades in periods:
                await once("period-risk", f"period-risk:{school.school_id}:{period.id}",
                           functools.partial(_risk, school, period, grades, today))
    return done


async def _call(job: Callable[[AsyncSession, SchoolClock, dt.date], Awaitable[int]],
                school: SchoolClock, today: dt.date, session: AsyncSession) -> int:
    return await job(session, school, today)


async def _risk(school: SchoolClock, period: PeriodInfo, grades: tuple[int, int],
                today: dt.date, session: AsyncSession) -> int:
    return await period_risks(session, school, period, grades, today)


def build_scheduler(sessionmaker: Sessionmaker, *,
                    deliver: Callable[[], Awaitable[Any]] | None = None,
                    deliver_seconds: float = DELIVERY_SECONDS,
                    jobs_minutes: float = SCHOOL_JOBS_MINUTES) -> AsyncIOScheduler:
    """The process's scheduler (not started): the delivery tick, when `deliver` is given,
    and the school-time jobs ("school-jobs"). Safe to run in several processes."""
    scheduler = AsyncIOScheduler(timezone=dt.UTC)
    options: dict[str, Any] = {"max_instances": 1, "coalesce": True,
                               "misfire_grace_time": 60}
    if deliver is not None:
        scheduler.add_job(deliver, "interval", seconds=deliver_seconds, id="deliver",
                          **options)
    scheduler.add_job(functools.partial(run_school_jobs, sessionmaker), "interval",
                      minutes=jobs_minutes, id="school-jobs", next_run_time=dt.datetime.now(dt.UTC),
                      **options)
    return scheduler
