"""The two demo schools put together: `seed_demo` and the row counts of `demo_counts`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.demo_seed import data
from services.demo_seed.accounts import _add_accounts
from services.demo_seed.lessons import (
    _add_lessons,
    _plan_homework,
    _plan_lessons,
    _plan_tests,
    _plan_week_changes,
)
from services.demo_seed.marks import _add_marks, _plan_attendance, _plan_marks
from services.demo_seed.people import _add_classes, _add_people, _FamilyMaker, _plan_families
from services.demo_seed.school import DAY, _add_school, _add_staff, _add_subjects
from services.demo_seed.writer import _rng, _Writer
from services.models import Attendance, Base, Homework, Mark, School

DEMO_SCHOOL_EXTERNAL_ID = "demo-school"
DEMO_LYCEUM_EXTERNAL_ID = "demo-lyceum"


@dataclass
class SeedResult:
    created: bool
    counts: dict[str, int] = field(default_factory=dict)  # rows added per table


async def seed_demo(session: AsyncSession, *, today: dt.date) -> SeedResult:
    """Add the demo schools unless "demo-school" already exists (then add nothing)."""
    existing = await session.scalar(
        select(School.id).where(School.external_id == DEMO_SCHOOL_EXTERNAL_ID)
    )
    if existing is not None:
        return SeedResult(created=False)
    writer = _Writer(session)
    await _seed_school17(writer, today)
    await _seed_lyceum(writer, today)
    return SeedResult(created=True, counts=dict(writer.counts))


async def demo_counts(session: AsyncSession) -> dict[str, int]:
    """Row counts of every table of the data model, in one round trip."""
    tables = Base.metadata.sorted_tables
    stmt = select(*(select(func.count()).select_from(t).scalar_subquery().label(t.name)
                    for t in tables))
    row = (await session.execute(stmt)).one()
    return {t.name: int(n) for t, n in zip(tables, row, strict=True)}


# --- the two schools --------------------------------------------------------------------


async def _seed_school17(w: _Writer, today: dt.date) -> None:
    # Quick entry on: in `diary demo` a teacher enters an absence or homework from the bot.
    school = await _add_school(w, "Школа № 17", DEMO_SCHOOL_EXTERNAL_ID, "Europe/Moscow",
                               today, quick_entry=True)
    await _add_staff(w, school, data.STAFF)
    await _add_subjects(w, school, data.CLASSES)
    classes = await _add_classes(w, school, data.CLASSES)
    by_name = {c.spec.name: c for c in classes}
    maker = _FamilyMaker(_rng("people"), data.CLASSES, school.cal.start_year)
    families = _plan_families(maker, data.CLASSES)
    await _add_people(w, school, classes, families)

    first_day = min(q.starts_on for q in school.cal.quarters)
    lessons = _plan_lessons(school, classes, data.TIMETABLE, first_day,
                            school.cal.lessons_end(today), today, _rng("lessons"))
    _plan_tests(lessons, today, _rng("tests"))
    _plan_week_changes(lessons, by_name["5А"], today, _rng("week"))
    await _add_lessons(w, school, lessons, today)

    misha = families[0].kids[0]
    await w.rows(Homework, _plan_homework(school, lessons, today, (by_name["5А"], misha.id),
                                          _rng("homework")))
    # A 7Б student ill for the last seven school days of the first quarter: their quarter
    # mark in one subject is postponed (001 §5).
    rng = _rng("attendance")
    sick = rng.choice(by_name["7Б"].students).id
    q1 = school.cal.quarters[0]
    q1_days = sorted({x.date for x in lessons if x.cls is by_name["7Б"] and q1.contains(x.date)})
    away, attendance = _plan_attendance(school, lessons, today, (sick, q1_days[-7:]), rng)
    await w.rows(Attendance, attendance)
    await _add_marks(w, school, classes, lessons, today, away, sick)
    await _add_accounts(w, school, families, today)


async def _seed_lyceum(w: _Writer, today: dt.date) -> None:
    """One class, one teacher, five students: last week's and this week's lessons."""
    rng = _rng("lyceum")
    school = await _add_school(w, "Лицей № 5", DEMO_LYCEUM_EXTERNAL_ID, "Asia/Yekaterinburg",
                               today)
    await _add_staff(w, school, (data.LYCEUM_STAFF,))
    await _add_subjects(w, school, (data.LYCEUM_CLASS,))
    classes = await _add_classes(w, school, (data.LYCEUM_CLASS,))
    maker = _FamilyMaker(rng, (data.LYCEUM_CLASS,), school.cal.start_year)
    surnames = rng.sample(data.SURNAMES, data.LYCEUM_CLASS.size)
    families = [maker.random_family(surname, [(data.LYCEUM_CLASS.name, None, None)],
                                    guardians="mother") for surname in surnames]
    await _add_people(w, school, classes, families)
    monday = today - today.weekday() * DAY
    lessons = _plan_lessons(school, classes, {data.LYCEUM_CLASS.name: (data.LYCEUM_DAY,) * 5},
                            monday - 7 * DAY, monday + 4 * DAY, today, rng)
    await _add_lessons(w, school, lessons, today)
    await w.rows(Mark, _plan_marks(school, lessons, today, {}, rng, per_lesson=(1, 2)))
