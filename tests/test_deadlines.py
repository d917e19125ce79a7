"""The 002 §5.2 deadline for marks and absences, over weekends, public holidays and school
holidays; late entries noted as they arrive; the register that makes a lesson everyone
attended count as filled."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services import clock, journal, reminders
from services.attendance_register import take_register
from services.calendar import PeriodInfo
from services.deadlines import (
    entry_deadline,
    first_working_day_of_month,
    first_working_day_of_week,
    is_late,
)
from services.errors import InvalidJournalData
from services.models import Attendance, AttendanceKind, LateEntry, Lesson, PeriodKind
from services.working_days import WorkingDays

MOSCOW = ZoneInfo("Europe/Moscow")
D = dt.date
CALENDAR = WorkingDays()  # the Russian production calendar alone
# A school on winter holidays from 26 December to 11 January, as the demo school is.
WINTER = WorkingDays((PeriodInfo(1, PeriodKind.HOLIDAYS, 2, "Зимние каникулы",
                                 D(2026, 12, 26), D(2027, 1, 11)),))


# --- the rule ---------------------------------------------------------------------------


def test_five_days_then_the_next_working_day() -> None:
    # A Wednesday lesson: five days later is a Monday, a working day.
    assert entry_deadline(D(2026, 11, 18), CALENDAR) == D(2026, 11, 23)
    # A Monday lesson: five days later is a Saturday; the deadline moves to Monday.
    assert entry_deadline(D(2026, 11, 23), CALENDAR) == D(2026, 11, 30)
    assert not is_late(D(2026, 11, 23), D(2026, 11, 29), CALENDAR)  # Sunday: on time
    assert not is_late(D(2026, 11, 23), D(2026, 11, 30), CALENDAR)
    assert is_late(D(2026, 11, 23), D(2026, 12, 1), CALENDAR)
    # Friday 30 October: five days later is 4 November, Unity Day.
    assert entry_deadline(D(2026, 10, 30), CALENDAR) == D(2026, 11, 5)
    assert is_late(D(2026, 10, 30), D(2026, 11, 6), CALENDAR)
    # A day off moved onto a weekday (31 December 2026), then the New Year days off.
    assert entry_deadline(D(2026, 12, 26), CALENDAR) == D(2027, 1, 11)


def test_school_holidays_are_days_off_for_the_deadline() -> None:
    # Monday 21 December: five days later the school is on holidays until 11 January.
    assert entry_deadline(D(2026, 12, 21), WINTER) == D(2027, 1, 12)
    assert not is_late(D(2026, 12, 21), D(2027, 1, 12), WINTER)
    assert is_late(D(2026, 12, 21), D(2027, 1, 13), WINTER)
    # Friday 18 December: five days later is a Wednesday before the holidays.
    assert entry_deadline(D(2026, 12, 18), WINTER) == D(2026, 12, 23)


def test_first_working_day_of_the_week_and_of_the_month() -> None:
    assert first_working_day_of_week(D(2026, 11, 23), CALENDAR)  # a Monday
    assert not first_working_day_of_week(D(2026, 11, 24), CALENDAR)
    # 22 and 23 February 2027 are days off: the week starts on Wednesday.
    assert not first_working_day_of_week(D(2027, 2, 22), CALENDAR)
    assert first_working_day_of_week(D(2027, 2, 24), CALENDAR)
    assert not first_working_day_of_week(D(2027, 2, 25), CALENDAR)
    # The week of 11 January is the first one back after the winter holidays, on Tuesday.
    assert first_working_day_of_week(D(2027, 1, 11), CALENDAR)
    assert not first_working_day_of_week(D(2027, 1, 11), WINTER)
    assert first_working_day_of_week(D(2027, 1, 12), WINTER)
    assert not any(first_working_day_of_week(D(2027, 1, 4) + dt.timedelta(days=n), WINTER)
                   for n in range(7))  # a week of holidays has none

    assert first_working_day_of_month(D(2026, 12, 1), CALENDAR)  # a Tuesday
    assert not first_working_day_of_month(D(2026, 12, 2), CALENDAR)
    # November 2026 starts on a Sunday.
    assert not first_working_day_of_month(D(2026, 11, 1), CALENDAR)
    assert first_working_day_of_month(D(2026, 11, 2), CALENDAR)
    # January: the New Year days off, then (for the school) its holidays.
    assert first_working_day_of_month(D(2027, 1, 11), CALENDAR)
    assert not first_working_day_of_month(D(2027, 1, 11), WINTER)
    assert first_working_day_of_month(D(2027, 1, 12), WINTER)
    # May 2027: 1 May is a Saturday, moved to Monday 3 May.
    assert first_working_day_of_month(D(2027, 5, 4), CALENDAR)


# --- late entries, noted as they arrive -------------------------------------------------


async def _one(session: AsyncSession, sql: str, **params: Any) -> Any:
    return (await session.execute(text(sql), params)).one()


async def _misha_math(session: AsyncSession) -> Any:
    """Михаил (5А), Математика, the answer-in-class work type and the maths teacher."""
    return await _one(session, """
        SELECT a.active_student_id AS student, j.id AS subject, w.id AS work, s.class_id
        FROM accounts a JOIN students s ON s.id = a.active_student_id
        JOIN subjects j ON j.school_id = s.school_id AND j.name = 'Математика'
        JOIN work_types w ON w.school_id = s.school_id AND w.code = 'answer'
        WHERE a.telegram_id = 1001""")


async def _lesson(session: AsyncSession, class_id: int, subject: int, day: dt.date) -> Any:
    return await _one(session, """
        SELECT id, teacher_id FROM lessons WHERE class_id = :c AND subject_id = :j
        AND date = :d ORDER BY slot LIMIT 1""", c=class_id, j=subject, d=day)


async def _mark_at(session: AsyncSession, at: dt.datetime, day: dt.date,
                   lesson_id: int | None = None, **extra: Any) -> int:
    m = await _misha_math(session)
    with clock.frozen(at):
        result = await journal.add_mark(session, student_id=m.student, subject_id=m.subject,
                                        work_type_id=m.work, date=day, value=4,
                                        lesson_id=lesson_id, **extra)
    return result.mark_id


async def _late(session: AsyncSession) -> list[LateEntry]:
    return list((await session.scalars(select(LateEntry).order_by(LateEntry.id))).all())


def _moscow(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=MOSCOW)


async def test_a_late_mark_is_noted_over_a_weekend(session: AsyncSession) -> None:
    m = await _misha_math(session)
    monday = await _lesson(session, m.class_id, m.subject, D(2026, 11, 23))
    # The Monday lesson's deadline is Saturday, moved to Monday 30 November.
    await _mark_at(session, _moscow(D(2026, 11, 29)), D(2026, 11, 23), monday.id)
    await _mark_at(session, _moscow(D(2026, 11, 30), 23), D(2026, 11, 23), monday.id)
    assert await _late(session) == []
    late_id = await _mark_at(session, _moscow(D(2026, 12, 1), 0), D(2026, 11, 23))
    [entry] = await _late(session)
    # No lesson reference: it counts against that day's maths lesson of the class.
    assert (entry.kind, entry.mark_id, entry.teacher_id, entry.class_id, entry.subject_id) == (
        "mark", late_id, monday.teacher_id, m.class_id, m.subject)
    assert (entry.lesson_date, entry.deadline) == (D(2026, 11, 23), D(2026, 11, 30))
    # An initial load is not a late entry, however old.
    await _mark_at(session, _moscow(D(2026, 12, 1)), D(2026, 11, 16), backfill=True)
    assert len(await _late(session)) == 1


async def test_a_mark_is_on_time_until_the_first_day_after_the_holidays(
        session: AsyncSession) -> None:
    m = await _misha_math(session)
    lesson = await _lesson(session, m.class_id, m.subject, D(2026, 12, 21))
    # Five days after Monday 21 December the school is on winter holidays: the deadline
    # is Tuesday 12 January, the first working day back.
    await _mark_at(session, _moscow(D(2027, 1, 12)), D(2026, 12, 21), lesson.id)
    assert await _late(session) == []
    await _mark_at(session, _moscow(D(2027, 1, 13)), D(2026, 12, 21), lesson.id)
    [entry] = await _late(session)
    assert entry.deadline == D(2027, 1, 12) and entry.teacher_id == lesson.teacher_id
    # Wednesday 21 October, before the autumn holidays and Unity Day: due 5 November.
    october = await _lesson(session, m.class_id, m.subject, D(2026, 10, 21))
    await _mark_at(session, _moscow(D(2026, 11, 5)), D(2026, 10, 21), october.id)
    assert len(await _late(session)) == 1
    await _mark_at(session, _moscow(D(2026, 11, 6)), D(2026, 10, 21), october.id)
    assert [e.deadline for e in await _late(session)] == [D(2027, 1, 12), D(2026, 11, 5)]


async def test_the_local_date_decides_in_a_far_timezone(session: AsyncSession) -> None:
    """00:30 on Tuesday in Yekaterinburg is still Monday in Moscow and in UTC."""
    m = await _misha_math(session)
    await session.execute(text("UPDATE schools SET timezone = 'Asia/Yekaterinburg' WHERE id = "
                               "(SELECT school_id FROM students WHERE id = :s)"),
                          {"s": m.student})
    at = dt.datetime(2026, 12, 1, 0, 30, tzinfo=ZoneInfo("Asia/Yekaterinburg"))
    await _mark_at(session, at, D(2026, 11, 23))
    [entry] = await _late(session)
    assert entry.deadline == D(2026, 11, 30)


# --- the register and late absences -----------------------------------------------------


async def _unfilled(session: AsyncSession, today: dt.date) -> set[tuple[str, int]]:
    found = await reminders.unmarked_lessons(
        session, (await _one(session, "SELECT id FROM schools WHERE external_id = "
                                      "'demo-school'")).id, today)
    return {(i["date"], i["slot"]) for items in found.values() for i in items}


async def _clear(session: AsyncSession, lesson_id: int) -> Lesson:
    await session.execute(text("DELETE FROM marks WHERE lesson_id = :l"), {"l": lesson_id})
    await session.execute(text("DELETE FROM attendance WHERE lesson_id = :l"), {"l": lesson_id})
    await session.execute(text("UPDATE lessons SET attendance_taken_at = NULL WHERE id = :l"),
                          {"l": lesson_id})
    lesson = await session.get(Lesson, lesson_id)
    assert lesson is not None
    await session.refresh(lesson)
    return lesson


async def test_a_register_with_everyone_present_fills_the_lesson(session: AsyncSession) -> None:
    m = await _misha_math(session)
    row = await _lesson(session, m.class_id, m.subject, D(2026, 11, 16))
    lesson = await _clear(session, row.id)
    key = (lesson.date.isoformat(), lesson.slot)
    assert key in await _unfilled(session, D(2026, 11, 23))
    result = await take_register(session, lesson_id=lesson.id, away={})
    assert (result.written, result.removed, result.late) == (0, 0, 0)
    assert lesson.attendance_taken_at == clock.now()
    assert key not in await _unfilled(session, D(2026, 11, 23))
    assert await session.scalar(select(Attendance.id).where(
        Attendance.lesson_id == lesson.id)) is None


async def test_absences_entered_late_are_noted_and_corrections_are_not(
        session: AsyncSession) -> None:
    m = await _misha_math(session)
    row = await _lesson(session, m.class_id, m.subject, D(2026, 11, 23))
    lesson = await _clear(session, row.id)
    others = list(await session.scalars(text(
        "SELECT id FROM students WHERE class_id = :c AND id <> :s ORDER BY id LIMIT 2"),
        {"c": m.class_id, "s": m.student}))
    # Taken on Sunday (on time: the deadline is Monday 30th) with one student away.
    with clock.frozen(_moscow(D(2026, 11, 29))):
        first = await take_register(session, lesson_id=lesson.id,
                                    away={m.student: AttendanceKind.ABSENT})
    assert (first.written, first.late) == (1, 0)
    # On Tuesday: a doctor's note corrects it, another student's absence is added late,
    # a third is late to the lesson (ОП), also entered late.
    with clock.frozen(_moscow(D(2026, 12, 1))):
        second = await take_register(session, lesson_id=lesson.id, away={
            m.student: "ill", others[0]: "absent", others[1]: "late"},
            minutes_late={others[1]: 10}, entered_by_id=row.teacher_id)
    assert (second.written, second.removed, second.late) == (3, 0, 2)
    late = await _late(session)
    assert {e.kind for e in late} == {"absence"}
    students = set(await session.scalars(select(Attendance.student_id).where(
        Attendance.id.in_([e.attendance_id for e in late]))))
    assert students == set(others)
    assert {(e.teacher_id, e.deadline) for e in late} == {(row.teacher_id, D(2026, 11, 30))}
    # The register taken again without them: their rows (and late notes) go.
    with clock.frozen(_moscow(D(2026, 12, 1))):
        third = await take_register(session, lesson_id=lesson.id, away={m.student: "ill"})
    assert third.removed == 2 and await _late(session) == []
    # The first time it was taken is kept.
    assert lesson.attendance_taken_at == _moscow(D(2026, 11, 29))


async def test_a_register_names_only_the_lesson_s_students(session: AsyncSession) -> None:
    m = await _misha_math(session)
    row = await _lesson(session, m.class_id, m.subject, D(2026, 11, 23))
    stranger = await session.scalar(text(
        "SELECT id FROM students WHERE class_id <> :c LIMIT 1"), {"c": m.class_id})
    with pytest.raises(InvalidJournalData):
        await take_register(session, lesson_id=row.id, away={stranger: "absent"})
    with pytest.raises(InvalidJournalData):
        await take_register(session, lesson_id=row.id, away={m.student: "absent"},
                            minutes_late={m.student: 5})
