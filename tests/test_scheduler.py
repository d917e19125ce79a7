"""Scheduled jobs on the demo school: each runs once across processes, at the school's own
local time, and writes the pushes it should (forecast summary, period-end risks, homework
for tomorrow, the staff reminder about lessons left without marks)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.scheduler import build_scheduler, run_school_jobs
from screens.i18n import translator
from screens.pushes import PushRow, compose
from services import clock, journal
from services.db import make_engine, make_sessionmaker
from services.models import JobRun, Notification
from services.working_days import is_working_day
from tests.conftest import Db

MOSCOW = ZoneInfo("Europe/Moscow")
GUARDIAN, STUDENT, MATH_TEACHER = 1001, 1002, 2002


async def _all(db: Db, sql: str, **params: Any) -> list[Any]:
    async with db.sessionmaker() as s:
        return list((await s.execute(text(sql), params)).all())


async def _one(db: Db, sql: str, **params: Any) -> Any:
    async with db.sessionmaker() as s:
        return await s.scalar(text(sql), params)


async def _rows(db: Db, chat_id: int, kind_type: str) -> list[Notification]:
    async with db.sessionmaker() as s:
        return list((await s.scalars(select(Notification).where(
            Notification.chat_id == chat_id,
            Notification.payload["type"].astext == kind_type).order_by(Notification.id))).all())


def _texts(rows: list[Notification], locale: str = "ru") -> list[str]:
    return [m.text for m in compose(
        [PushRow.from_stored(r.id, r.kind, r.payload, r.student_id, r.event_at) for r in rows],
        translator(locale))]


async def _school_ids(db: Db) -> dict[str, int]:
    return {r[0]: r[1] for r in await _all(db, "SELECT external_id, id FROM schools")}


@pytest.fixture
async def two_processes(demo_db: Db) -> AsyncIterator[list[async_sessionmaker[AsyncSession]]]:
    """Two engines on one database, as two bot processes would have."""
    engines = [make_engine(demo_db.url), make_engine(demo_db.url)]
    try:
        yield [make_sessionmaker(e) for e in engines]
    finally:
        for e in engines:
            await e.dispose()


async def test_weekly_forecast_runs_once_with_two_schedulers(
        demo_db: Db, two_processes: list[async_sessionmaker[AsyncSession]]) -> None:
    schedulers = [build_scheduler(sm) for sm in two_processes]
    assert {j.id for j in schedulers[0].get_jobs()} == {"school-jobs"}
    assert not any(s.running for s in schedulers)
    jobs = [s.get_job("school-jobs").func for s in schedulers]
    friday = dt.datetime(2026, 11, 27, 18, 5, tzinfo=MOSCOW)
    with clock.frozen(friday):
        first, second = await asyncio.gather(jobs[0](), jobs[1]())
        again = await jobs[0]()
    schools = await _school_ids(demo_db)
    weekly = {f"forecast-weekly:{schools['demo-school']}:2026-W48",
              f"forecast-weekly:{schools['demo-lyceum']}:2026-W48"}
    assert weekly <= set(first) | set(second)
    assert not set(first) & set(second)  # each run done by one process only
    assert again == {}
    runs = await _all(demo_db, "SELECT run_key, finished_at FROM job_runs "
                               "WHERE job = 'forecast-weekly'")
    assert {r[0] for r in runs} == weekly and len(runs) == 2
    assert all(r[1] is not None for r in runs)
    # One summary per followed child: Михаил (Ольга is a first-grader) and Артём.
    summaries = await _all(demo_db, "SELECT chat_id, student_id FROM notifications "
                                    "WHERE payload->>'type' = 'forecast_weekly'")
    assert len(summaries) == 2
    assert sorted(r[0] for r in summaries) == [GUARDIAN, STUDENT]
    # The delivery worker is the caller's, and not started here: every row still waits.
    assert await _all(demo_db, "SELECT id FROM notifications WHERE status <> 'pending' "
                               "AND payload->>'type' = 'forecast_weekly'") == []

    [push] = _texts(await _rows(demo_db, GUARDIAN, "forecast_weekly"))
    assert push.startswith("🔮 <b>Михаил</b>: прогноз на неделю — 2 четверть\n")
    misha = await _one(demo_db, "SELECT active_student_id FROM accounts WHERE telegram_id = "
                                ":t", t=GUARDIAN)
    math = await _all(demo_db, """
        SELECT sum(m.value * m.weight)::numeric / sum(m.weight) FROM marks m
        JOIN subjects j ON j.id = m.subject_id
        WHERE m.student_id = :s AND j.name = 'Математика' AND m.deleted_at IS NULL
          AND m.date >= '2026-11-05'""", s=misha)
    avg = Decimal(math[0][0]).quantize(Decimal("0.01"), ROUND_HALF_UP)
    shown = f"{avg:.2f}".replace(".", ",")
    assert f"• Математика: {shown} → <b>" in push
    # The summary told the family these forecasts: snapshots now hold them.
    assert await _one(demo_db, "SELECT count(*) FROM forecast_snapshots WHERE student_id = :s",
                      s=misha) > 3


async def test_staff_reminder_lists_a_lesson_left_without_marks(demo_db: Db) -> None:
    today = dt.date(2026, 11, 23)
    six_days_ago, four_days_ago = today - dt.timedelta(days=6), today - dt.timedelta(days=4)
    teacher = await _one(demo_db, "SELECT l.staff_id FROM account_links l JOIN accounts a ON "
                                  "a.id = l.account_id WHERE a.telegram_id = :t",
                         t=MATH_TEACHER)
    lessons = {}
    for day in (six_days_ago, four_days_ago):
        row = (await _all(demo_db, """
            SELECT l.id, l.slot, c.name, j.name FROM lessons l
            JOIN classes c ON c.id = l.class_id JOIN subjects j ON j.id = l.subject_id
            WHERE l.teacher_id = :t AND l.date = :d AND l.status = 'held'
            ORDER BY l.slot LIMIT 1""", t=teacher, d=day))[0]
        lessons[day] = row
        async with demo_db.sessionmaker.begin() as s:
            await s.execute(text("DELETE FROM marks WHERE lesson_id = :l"), {"l": row[0]})
            await s.execute(text("DELETE FROM attendance WHERE lesson_id = :l"), {"l": row[0]})
            await s.execute(text("UPDATE lessons SET attendance_taken_at = NULL "
                                 "WHERE id = :l"), {"l": row[0]})
    # Another lesson of that day with no marks but its register taken, everyone present:
    # its attendance was entered, so it is filled.
    full = (await _all(demo_db, """
        SELECT l.id, l.slot FROM lessons l JOIN classes c ON c.id = l.class_id
        WHERE l.teacher_id = :t AND l.date = :d AND l.status = 'held' AND c.grade > 1
          AND l.id <> :l ORDER BY l.slot LIMIT 1""", t=teacher, d=six_days_ago,
                       l=lessons[six_days_ago][0]))[0]
    async with demo_db.sessionmaker.begin() as s:
        await s.execute(text("DELETE FROM marks WHERE lesson_id = :l"), {"l": full[0]})
        await s.execute(text("DELETE FROM attendance WHERE lesson_id = :l"), {"l": full[0]})
    done = await run_school_jobs(demo_db.sessionmaker)  # Monday 10:00 in Moscow
    schools = await _school_ids(demo_db)
    assert f"staff-unmarked:{schools['demo-school']}:2026-11-23" in done
    [row] = await _rows(demo_db, MATH_TEACHER, "unmarked_lessons")
    _, slot, klass, subject = lessons[six_days_ago]
    assert {"class": klass, "subject": subject, "date": six_days_ago.isoformat(),
            "slot": slot} in row.payload["items"]
    recent = lessons[four_days_ago]
    assert not any(i["date"] == four_days_ago.isoformat() and i["slot"] == recent[1]
                   for i in row.payload["items"])  # still within the 5-day deadline
    assert not any(i["date"] == six_days_ago.isoformat() and i["slot"] == full[1]
                   for i in row.payload["items"])  # full attendance, no marks: filled
    [push] = _texts([row])
    assert push.startswith("📝 <b>Журнал не заполнен</b>:")
    assert f"• {klass}, {subject} — Вт, 17 ноября, {slot}-й урок" in push
    [en] = _texts([row], "en")
    assert f"• {klass}, {subject} — Tue, 17 November, lesson {slot}" in en
    # Once a day; and not on days off.
    assert await run_school_jobs(demo_db.sessionmaker) == {}
    assert not is_working_day(dt.date(2026, 11, 28))  # Saturday
    assert not is_working_day(dt.date(2026, 11, 4))  # Unity Day
    assert is_working_day(today)


async def test_homework_reminder_goes_to_students_the_evening_before(demo_db: Db) -> None:
    artyom = await _one(demo_db, "SELECT l.student_id FROM account_links l JOIN accounts a "
                                 "ON a.id = l.account_id WHERE a.telegram_id = :t", t=STUDENT)
    expected = await _all(demo_db, """
        SELECT j.name, h.text FROM homework h JOIN subjects j ON j.id = h.subject_id
        JOIN students s ON s.id = :s
        WHERE h.due_on = '2026-11-24' AND h.class_id = s.class_id
          AND (h.student_id = s.id OR (h.student_id IS NULL AND (h.subgroup_id IS NULL
               OR h.subgroup_id IN (SELECT subgroup_id FROM subgroup_members
                                    WHERE student_id = s.id))))""", s=artyom)
    assert expected
    key = f"homework-eve:{(await _school_ids(demo_db))['demo-school']}:2026-11-23"
    # 18:55 in Moscow is not the slot yet (but 20:55 in the Yekaterinburg lyceum is).
    with clock.frozen(dt.datetime(2026, 11, 23, 18, 55, tzinfo=MOSCOW)):
        assert key not in await run_school_jobs(demo_db.sessionmaker)
    with clock.frozen(dt.datetime(2026, 11, 23, 19, 10, tzinfo=MOSCOW)):
        assert key in await run_school_jobs(demo_db.sessionmaker)
    [row] = await _rows(demo_db, STUDENT, "homework_tomorrow")
    assert sorted((i["subject"], i["text"]) for i in row.payload["items"]) == sorted(
        (r[0], r[1][:600]) for r in expected)
    assert row.due_at == dt.datetime(2026, 11, 23, 19, 10, tzinfo=MOSCOW)
    assert await _rows(demo_db, GUARDIAN, "homework_tomorrow") == []  # students only
    [push] = _texts([row])
    assert push.startswith("📚 <b>Артём</b>: задано на завтра, Вт, 24 ноября\n")


async def test_period_end_risk_lists_weak_and_dropped_subjects(demo_db: Db) -> None:
    artyom = await _one(demo_db, "SELECT l.student_id FROM account_links l JOIN accounts a "
                                 "ON a.id = l.account_id WHERE a.telegram_id = :t", t=STUDENT)
    async with demo_db.sessionmaker.begin() as s:
        math, work = (await s.execute(text(
            "SELECT j.id, w.id FROM subjects j JOIN students st ON st.school_id = j.school_id "
            "JOIN work_types w ON w.school_id = j.school_id AND w.code = 'test' "
            "WHERE st.id = :s AND j.name = 'Математика'"), {"s": artyom})).one()
        for day in (20, 19, 18):
            await journal.add_mark(s, student_id=artyom, subject_id=math, work_type_id=work,
                                   date=dt.date(2026, 11, day), value=2, backfill=True)
    averages = await _all(demo_db, """
        SELECT j.id, j.name, sum(m.value * m.weight)::numeric / sum(m.weight) FROM marks m
        JOIN subjects j ON j.id = m.subject_id
        WHERE m.student_id = :s AND m.deleted_at IS NULL AND m.value IS NOT NULL
          AND NOT j.pass_fail AND m.date BETWEEN '2026-11-05' AND '2026-12-25'
        GROUP BY j.id, j.name""", s=artyom)
    q1 = {r[0]: r[1] for r in await _all(demo_db, """
        SELECT f.subject_id, f.value FROM final_marks f JOIN periods p ON p.id = f.period_id
        WHERE f.student_id = :s AND p.kind = 'quarter' AND p.number = 1
          AND f.value IS NOT NULL""", s=artyom)}
    expected = set()
    for subject_id, name, avg in averages:
        shown = Decimal(avg).quantize(Decimal("0.01"), ROUND_HALF_UP)
        mark = int(shown) + (1 if shown - int(shown) >= Decimal("0.5") else 0)
        if mark <= 3 or (subject_id in q1 and mark < q1[subject_id]):
            expected.add((name, mark, q1.get(subject_id)))
    assert any(name == "Математика" and mark <= 3 for name, mark, _ in expected)
    assert any(prev is not None and mark < prev for _, mark, prev in expected)  # a drop
    # Friday 11 December, 18:30: two weeks before the quarter ends on 25 December.
    with clock.frozen(dt.datetime(2026, 12, 11, 18, 30, tzinfo=MOSCOW)):
        done = await run_school_jobs(demo_db.sessionmaker)
        assert await run_school_jobs(demo_db.sessionmaker) == {}
    assert any(k.startswith("period-risk:") for k in done)
    [row] = await _rows(demo_db, STUDENT, "forecast_risk")
    assert row.payload["ends_on"] == "2026-12-25" and row.payload["period"] == "2 четверть"
    listed = {(i["subject"], i["forecast"], i["previous"]) for i in row.payload["items"]}
    assert listed == expected
    [push] = _texts([row])
    assert push.startswith("⚠️ <b>Артём</b>: до конца периода «2 четверть» две недели "
                           "(25 декабря). Под угрозой:\n")
    assert "• Математика: " in push
    # A week later it is not sent again (one run per period).
    with clock.frozen(dt.datetime(2026, 12, 14, 18, 30, tzinfo=MOSCOW)):
        done = await run_school_jobs(demo_db.sessionmaker)
    assert not any(k.startswith("period-risk:") for k in done)
    assert len(await _rows(demo_db, STUDENT, "forecast_risk")) == 1


async def test_a_failed_run_is_retried(demo_db: Db) -> None:
    from bot.scheduler import run_once

    async def boom(session: AsyncSession) -> int:
        raise RuntimeError("journal server down")

    async def work(session: AsyncSession) -> int:
        return 7

    with pytest.raises(RuntimeError):
        await run_once(demo_db.sessionmaker, "test-job", "k1", boom)
    assert await run_once(demo_db.sessionmaker, "test-job", "k1", work) == 7
    assert await run_once(demo_db.sessionmaker, "test-job", "k1", work) is None
    async with demo_db.sessionmaker() as s:
        assert len((await s.scalars(select(JobRun).where(JobRun.job == "test-job"))).all()) == 1


async def test_the_jobs_start_and_stop_with_the_dispatcher_hooks(demo_db: Db) -> None:
    from bot.scheduler import ScheduledJobs
    from bot.settings import Settings

    jobs = ScheduledJobs(demo_db.sessionmaker, Settings(_env_file=None,
                                                        jobs_interval_minutes=2))
    assert not jobs.scheduler.running
    # Nothing here yields to the event loop, so the first tick cannot run in between.
    await jobs.start()
    await jobs.start()  # a second startup hook changes nothing
    assert jobs.scheduler.running
    [tick] = jobs.scheduler.get_jobs()
    assert tick.id == "school-jobs" and tick.trigger.interval == dt.timedelta(minutes=2)
    await jobs.stop()
    await jobs.stop()
    assert not jobs.scheduler.running
