"""One notion of a school working day: the Russian production calendar (moved days off and
working Saturdays included) less the school's own holidays; the staff reminder and the
timetable both follow it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.scheduler import run_school_jobs
from services import clock, timetable
from services.access import student_access
from services.working_days import is_public_working_day, is_working_day, working_days
from tests.conftest import Db

MOSCOW = ZoneInfo("Europe/Moscow")


def test_the_russian_calendar_with_its_moved_days() -> None:
    assert is_public_working_day(dt.date(2026, 11, 23))  # a Monday
    assert not is_public_working_day(dt.date(2026, 11, 28))  # a Saturday
    assert not is_public_working_day(dt.date(2026, 11, 4))  # Unity Day
    assert not is_public_working_day(dt.date(2026, 3, 9))  # 8 March fell on a Sunday
    # Days off the decree moved onto weekdays, and a Saturday it made working.
    assert not is_public_working_day(dt.date(2026, 1, 9))
    assert not is_public_working_day(dt.date(2026, 12, 31))
    assert not is_public_working_day(dt.date(2025, 11, 3))
    assert is_public_working_day(dt.date(2025, 11, 1))


async def _school(session: AsyncSession) -> int:
    return (await session.execute(text(
        "SELECT id FROM schools WHERE external_id = 'demo-school'"))).scalar_one()


async def test_the_school_s_holidays_are_days_off(session: AsyncSession) -> None:
    school = await _school(session)
    whole_school = await working_days(session, school)
    # Winter holidays: 26 December to 11 January (the quarter ends on Friday 25th).
    assert whole_school.is_working_day(dt.date(2026, 12, 25))
    assert not whole_school.is_working_day(dt.date(2026, 12, 28))
    assert whole_school.next_after(dt.date(2026, 12, 25)) == dt.date(2027, 1, 12)
    assert whole_school.previous_before(dt.date(2027, 1, 12)) == dt.date(2026, 12, 25)
    # The first-graders' February week is theirs: not the school's, nor the fifth grade's.
    february = dt.date(2027, 2, 16)
    first, fifth = await working_days(session, school, 1), await working_days(session, school, 5)
    assert not first.is_working_day(february)
    assert fifth.is_working_day(february) and whole_school.is_working_day(february)
    assert is_working_day(dt.date(2026, 12, 28))  # without the school's holidays: a Monday


async def test_no_staff_reminder_on_a_day_off(demo_db: Db) -> None:
    async with demo_db.sessionmaker() as s:
        school = await _school(s)

    async def staff_run(day: dt.date) -> bool:
        with clock.frozen(dt.datetime.combine(day, dt.time(8, 30), tzinfo=MOSCOW)):
            done = await run_school_jobs(demo_db.sessionmaker)
        return f"staff-unmarked:{school}:{day.isoformat()}" in done

    assert await staff_run(dt.date(2026, 11, 24))  # a Tuesday in the quarter
    assert not await staff_run(dt.date(2026, 11, 4))  # Unity Day, a Wednesday
    assert not await staff_run(dt.date(2026, 12, 30))  # the winter holidays, a Wednesday
    assert not await staff_run(dt.date(2026, 12, 31))  # a moved day off, a Thursday


async def test_the_timetable_names_days_off_and_the_next_working_day(
        session: AsyncSession) -> None:
    student = (await session.execute(text(
        "SELECT active_student_id FROM accounts WHERE telegram_id = 1001"))).scalar_one()
    account = (await session.execute(text(
        "SELECT id FROM accounts WHERE telegram_id = 1001"))).scalar_one()
    access = await student_access(session, account, student)
    holiday = await timetable.day_timetable(session, access, dt.date(2026, 12, 30))
    assert not holiday.lessons and holiday.is_weekend
    # The demo timetable ends with the quarter: the next school day is the first working
    # day after the winter holidays and the New Year days off.
    assert holiday.next_school_day == dt.date(2027, 1, 12)
    monday = await timetable.day_timetable(session, access, dt.date(2026, 11, 23))
    assert monday.lessons and monday.working_day and not monday.is_weekend
    week = await timetable.week_timetable(session, access, dt.date(2026, 11, 2))
    by_day = {d.day: d for d in week.days}
    assert not by_day[dt.date(2026, 11, 4)].working_day  # Unity Day
    assert not by_day[dt.date(2026, 11, 2)].working_day  # the autumn holidays
