"""Deadline control through the scheduler on the demo school: period-mark reminders two
working days and one before a period ends, the weekly digest of what stays overdue to the
class teacher and the deputy, across weekends, 4 November and the winter holidays; and
final marks reaching families within a day of being set, quiet hours kept."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from bot.scheduler import run_school_jobs
from screens.i18n import translator
from screens.pushes import LIMIT, PushRow, compose
from services import clock, journal, notification_settings
from services.models import Notification
from tests.conftest import Db

MOSCOW = ZoneInfo("Europe/Moscow")
D = dt.date
GUARDIAN, CLASS_TEACHER_5A, MATH_TEACHER, DEPUTY, INSPECTOR = 1001, 2001, 2002, 2003, 2004


async def _all(db: Db, sql: str, **params: Any) -> list[Any]:
    async with db.sessionmaker() as s:
        return list((await s.execute(text(sql), params)).all())


async def _one(db: Db, sql: str, **params: Any) -> Any:
    async with db.sessionmaker() as s:
        return await s.scalar(text(sql), params)


async def _do(db: Db, sql: str, **params: Any) -> None:
    async with db.sessionmaker.begin() as s:
        await s.execute(text(sql), params)


async def _rows(db: Db, chat_id: int, kind_type: str) -> list[Notification]:
    async with db.sessionmaker() as s:
        return list((await s.scalars(select(Notification).where(
            Notification.chat_id == chat_id,
            Notification.payload["type"].astext == kind_type).order_by(Notification.id))).all())


def _texts(rows: list[Notification], locale: str = "ru") -> list[str]:
    return [m.text for m in compose(
        [PushRow.from_stored(r.id, r.kind, r.payload, r.student_id, r.event_at) for r in rows],
        translator(locale))]


async def _school(db: Db) -> int:
    return int(await _one(db, "SELECT id FROM schools WHERE external_id = 'demo-school'"))


async def _period(db: Db, kind: str, number: int) -> int:
    return int(await _one(db, "SELECT id FROM periods WHERE school_id = :s AND kind = :k "
                              "AND number = :n", s=await _school(db), k=kind, n=number))


async def _run_at(db: Db, day: dt.date, hour: int = 8, minute: int = 30) -> dict[str, int]:
    with clock.frozen(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=MOSCOW)):
        return await run_school_jobs(db.sessionmaker)


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


async def _class_size(db: Db, name: str) -> int:
    return int(await _one(db, "SELECT count(*) FROM students s JOIN classes c ON "
                              "c.id = s.class_id WHERE c.name = :n AND c.school_id = :sc "
                              "AND s.status = 'active'", n=name, sc=await _school(db)))


# --- period marks -----------------------------------------------------------------------


async def test_period_marks_reminded_the_thursday_and_friday_before_a_monday_end(
        demo_db: Db) -> None:
    school, quarter = await _school(demo_db), await _period(demo_db, "quarter", 2)
    await _do(demo_db, "UPDATE periods SET ends_on = '2026-11-30' WHERE id = :p", p=quarter)
    reminded = []
    for day in _days(D(2026, 11, 24), D(2026, 11, 30)):
        done = await _run_at(demo_db, day)
        if f"period-marks:{school}:{quarter}:{day.isoformat()}" in done:
            reminded.append(day)
        if day == D(2026, 11, 26):
            # Thursday: the maths teacher gives 5А its quarter marks in maths.
            async with demo_db.sessionmaker.begin() as s:
                math, students = (await s.execute(text(
                    "SELECT j.id, array_agg(st.id) FROM subjects j JOIN classes c ON "
                    "c.school_id = j.school_id JOIN students st ON st.class_id = c.id "
                    "WHERE j.school_id = :s AND j.name = 'Математика' AND c.name = '5А' "
                    "AND st.status = 'active' GROUP BY j.id"), {"s": school})).one()
                for student in students:
                    await journal.set_final_mark(s, student_id=student, subject_id=math,
                                                 period_id=quarter, value=4)
    assert reminded == [D(2026, 11, 26), D(2026, 11, 27)]  # not Saturday to Monday
    thursday, friday = await _rows(demo_db, MATH_TEACHER, "period_marks_due")
    size_5a, size_7b = await _class_size(demo_db, "5А"), await _class_size(demo_db, "7Б")
    assert {"class": "5А", "subject": "Математика", "missing": size_5a} in thursday.payload[
        "items"]
    assert {"class": "7Б", "subject": "Алгебра", "missing": size_7b} in thursday.payload["items"]
    assert not any(i["class"] == "5А" for i in friday.payload["items"])
    assert {"class": "7Б", "subject": "Алгебра", "missing": size_7b} in friday.payload["items"]
    [push] = _texts([thursday])
    assert push.startswith("🗓 <b>Оценки за 2 четверть</b>: период заканчивается Пн, 30 ноября, "
                           "выставьте их не позднее Пт, 27 ноября\n")
    assert f"• 5А, Математика: нет оценки у {size_5a} учеников" in push
    [en] = _texts([thursday], "en")
    assert f"• 5А, Математика: {size_5a} students without a mark" in en
    # The class teacher (not teaching maths) is not reminded of maths; the inspector never.
    rus = await _rows(demo_db, CLASS_TEACHER_5A, "period_marks_due")
    assert rus and not any(i["subject"] == "Математика" for r in rus for i in r.payload["items"])
    assert await _rows(demo_db, INSPECTOR, "period_marks_due") == []


async def test_period_marks_reminders_step_over_unity_day(demo_db: Db) -> None:
    """A first quarter ending on Thursday 5 November, the autumn holidays after it: the
    reminders go on Monday 2 and Tuesday 3 November, not on 4 November."""
    school, q1 = await _school(demo_db), await _period(demo_db, "quarter", 1)
    autumn = await _period(demo_db, "holidays", 1)
    await _do(demo_db, "UPDATE periods SET ends_on = '2026-11-05' WHERE id = :p", p=q1)
    await _do(demo_db, "UPDATE periods SET starts_on = '2026-11-06', ends_on = '2026-11-15' "
                       "WHERE id = :p", p=autumn)
    misha = await _one(demo_db, "SELECT active_student_id FROM accounts WHERE telegram_id = "
                                ":t", t=GUARDIAN)
    # One quarter mark still missing: Михаил's in maths.
    await _do(demo_db, "DELETE FROM final_marks WHERE student_id = :s AND period_id = :p AND "
                       "subject_id = (SELECT id FROM subjects WHERE school_id = :sc AND "
                       "name = 'Математика')", s=misha, p=q1, sc=school)
    reminded = [day for day in _days(D(2026, 10, 29), D(2026, 11, 5))
                if f"period-marks:{school}:{q1}:{day.isoformat()}" in await _run_at(demo_db,
                                                                                   day)]
    assert reminded == [D(2026, 11, 2), D(2026, 11, 3)]
    rows = await _rows(demo_db, MATH_TEACHER, "period_marks_due")
    assert [r.payload["items"] for r in rows] == [
        [{"class": "5А", "subject": "Математика", "missing": 1}]] * 2
    assert {r.payload["deadline"] for r in rows} == {"2026-11-03"}


# --- the weekly digest ------------------------------------------------------------------


async def _clear_lesson(db: Db, teacher_chat: int, day: dt.date, class_name: str) -> Any:
    row = (await _all(db, """
        SELECT l.id, j.name FROM lessons l JOIN classes c ON c.id = l.class_id
        JOIN subjects j ON j.id = l.subject_id
        JOIN account_links al ON al.staff_id = l.teacher_id
        JOIN accounts a ON a.id = al.account_id AND a.telegram_id = :t
        WHERE l.date = :d AND c.name = :c ORDER BY l.slot LIMIT 1""",
                      t=teacher_chat, d=day, c=class_name))[0]
    await _do(db, "DELETE FROM marks WHERE lesson_id = :l", l=row[0])
    await _do(db, "DELETE FROM attendance WHERE lesson_id = :l", l=row[0])
    await _do(db, "UPDATE lessons SET attendance_taken_at = NULL WHERE id = :l", l=row[0])
    return row


async def test_what_stays_overdue_reaches_the_class_teacher_and_the_deputy_weekly(
        demo_db: Db) -> None:
    school = await _school(demo_db)
    _, subject = await _clear_lesson(demo_db, MATH_TEACHER, D(2026, 11, 16), "5А")
    # Monday 23rd: the Monday lesson's deadline (Saturday 21st, moved to Monday) is today,
    # so the teacher is reminded for the first time and nothing is escalated yet.
    done = await _run_at(demo_db, D(2026, 11, 23))
    assert f"deadline-digest:{school}:2026-W48" in done
    assert f"staff-unmarked:{school}:2026-11-23" in done
    assert await _rows(demo_db, DEPUTY, "deadline_digest") == []
    # The rest of the week: the reminder daily, the digest not again; none at the weekend.
    digests = []
    for day in _days(D(2026, 11, 24), D(2026, 11, 30)):
        done = await _run_at(demo_db, day)
        digests += [(day, k) for k in done if k.startswith(f"deadline-digest:{school}:")]
    assert digests == [(D(2026, 11, 30), f"deadline-digest:{school}:2026-W49")]
    item = {"teacher": "Григорьев П. С.", "class": "5А", "subject": subject, "count": 1,
            "since": "2026-11-16"}
    for chat in (CLASS_TEACHER_5A, DEPUTY):
        [row] = await _rows(demo_db, chat, "deadline_digest")
        assert row.payload["lessons"] == [item] and row.payload["period_marks"] == []
    assert await _rows(demo_db, MATH_TEACHER, "deadline_digest") == []
    assert await _rows(demo_db, INSPECTOR, "deadline_digest") == []
    [push] = _texts(await _rows(demo_db, DEPUTY, "deadline_digest"))
    assert push == ("📋 <b>Сроки журнала: что просрочено</b>\n"
                    "Уроки без оценок и посещаемости:\n"
                    f"• Григорьев П. С. — 5А, {subject}: 1 урок, первый 16 ноября")
    [en] = _texts(await _rows(demo_db, DEPUTY, "deadline_digest"), "en")
    assert f"• Григорьев П. С. — 5А, {subject}: 1 lesson, the first on 16 November" in en


async def test_the_digest_waits_out_the_winter_holidays(demo_db: Db) -> None:
    """The second quarter ends on Friday 25 December with its marks missing; the school is
    on holidays until 11 January: the next digest is on Tuesday 12 January."""
    school = await _school(demo_db)
    mondays = [D(2026, 12, 28), D(2027, 1, 4), D(2027, 1, 11)]
    for day in [*mondays, D(2027, 1, 12)]:
        done = await _run_at(demo_db, day)
        keys = [k for k in done if k.startswith((f"deadline-digest:{school}:",
                                                 f"staff-unmarked:{school}:"))]
        assert keys == ([] if day in mondays else [f"staff-unmarked:{school}:2027-01-12",
                                                   f"deadline-digest:{school}:2027-W02"])
    [row] = await _rows(demo_db, CLASS_TEACHER_5A, "deadline_digest")
    size = await _class_size(demo_db, "5А")
    assert {"teacher": "Григорьев П. С.", "class": "5А", "subject": "Математика",
            "period": "2 четверть", "missing": size} in row.payload["period_marks"]
    # The class teacher hears of 5А only; the deputy of every class, the rest counted.
    assert {i["class"] for i in row.payload["period_marks"] + row.payload["lessons"]} == {"5А"}
    [deputy] = await _rows(demo_db, DEPUTY, "deadline_digest")
    assert {i["class"] for i in deputy.payload["period_marks"]} >= {"5А", "7Б"}
    assert deputy.payload["more"] > 0
    texts = _texts([deputy])
    assert all(len(t) <= LIMIT for t in texts)
    assert "…и ещё" in texts[-1]


# --- final marks reach families within a day --------------------------------------------


async def test_a_final_mark_is_pushed_within_a_day_quiet_hours_kept(demo_db: Db) -> None:
    quarter = await _period(demo_db, "quarter", 2)
    async with demo_db.sessionmaker.begin() as s:
        misha, math, russian, history = (await s.execute(text("""
            SELECT a.active_student_id, max(j.id) FILTER (WHERE j.name = 'Математика'),
                   max(j.id) FILTER (WHERE j.name = 'Русский язык'),
                   max(j.id) FILTER (WHERE j.name = 'История')
            FROM accounts a JOIN students st ON st.id = a.active_student_id
            JOIN subjects j ON j.school_id = st.school_id
            WHERE a.telegram_id = :t GROUP BY a.active_student_id"""), {"t": GUARDIAN})).one()
    moments = {math: dt.datetime(2026, 12, 25, 14, 0, tzinfo=MOSCOW),  # a school afternoon
               russian: dt.datetime(2026, 12, 25, 23, 30, tzinfo=MOSCOW),  # quiet hours
               history: dt.datetime(2026, 12, 26, 6, 55, tzinfo=MOSCOW)}  # still quiet
    for subject, at in moments.items():
        with clock.frozen(at):
            async with demo_db.sessionmaker.begin() as s:
                result = await journal.set_final_mark(s, student_id=misha, subject_id=subject,
                                                      period_id=quarter, value=5)
            assert result.queued >= 1
    rows = await _rows(demo_db, GUARDIAN, "final_mark")
    due = {r.payload["subject"]: r.due_at.astimezone(MOSCOW) for r in rows}
    assert due == {"Математика": moments[math],
                   "Русский язык": dt.datetime(2026, 12, 26, 7, 0, tzinfo=MOSCOW),
                   "История": dt.datetime(2026, 12, 26, 7, 0, tzinfo=MOSCOW)}
    for r in rows:
        made = r.event_at
        assert made <= r.due_at <= made + dt.timedelta(days=1)
    # A chat on a daily digest gets it at its digest time, still within a day.
    async with demo_db.sessionmaker.begin() as s:
        account = await s.scalar(text("SELECT id FROM accounts WHERE telegram_id = :t"),
                                 {"t": GUARDIAN})
        await notification_settings.set_digest(s, account, True, dt.time(20, 0))
    at = dt.datetime(2026, 12, 25, 20, 30, tzinfo=MOSCOW)
    with clock.frozen(at):
        async with demo_db.sessionmaker.begin() as s:
            await journal.set_final_mark(s, student_id=misha, subject_id=math,
                                         period_id=quarter, value=4)
    latest = (await _rows(demo_db, GUARDIAN, "final_mark"))[-1]
    assert latest.due_at == dt.datetime(2026, 12, 26, 20, 0, tzinfo=MOSCOW)
    assert latest.due_at - at <= dt.timedelta(days=1)
