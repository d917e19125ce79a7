"""The per-view latency at district scale, through the real app (`python -m bot.bench_district`
prints JSON; `measure()` is the same for a combined `make bench`).

Two cached districts (bot/district_cache.py): the full one (100 schools, about 10 million
marks) and a small one of the same generator (about 10,000 marks, the same marks a
student). Simulated guardians of random students press the buttons of the families' views
through bot.app.build_dispatcher with an in-process fake Telegram (LocalSession), one
update at a time, a guardian of one district then one of the other (so the rest of the
machine's load weighs on both alike). Each update's wall time from `feed_update` to its
return (routing, SQL, Fluent, the fake Telegram's reply) is noted per view.

Printed: p50/p95/p99 per view on both districts, the ratio p99(10M)/p99(10k) per view (goal
≤ 1.5), updates a second (sequential: one over the mean update time), and the shared
buffers of each view's statements (EXPLAIN (ANALYZE, BUFFERS) of every statement the
view's services run, for one sample student, a teacher and a director of its school).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot import district

NOW = dt.datetime.combine(district.DISTRICT_TODAY, dt.time(16, 0),
                          tzinfo=ZoneInfo("Europe/Moscow"))
SMALL_SCALE = 0.001
VIEWS = ("menu", "recent_marks", "recent_marks_page", "subject_marks", "overview",
         "timetable_day", "timetable_week", "homework_day", "homework_subject",
         "attendance_period", "attendance_week")


def _day(d: dt.date) -> int:
    return d.year * 10000 + d.month * 100 + d.day


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _students(session: AsyncSession, count: int, rng: random.Random) -> list[Any]:
    """Random graded students with their class's subjects (the guardians' children)."""
    rows = (await session.execute(text(
        "SELECT s.id, array_agg(cu.subject_id) AS subjects FROM students s "
        "JOIN classes c ON c.id = s.class_id AND c.grade > 1 "
        "JOIN curriculum cu ON cu.class_id = c.id "
        "GROUP BY s.id ORDER BY md5(s.id || :seed) LIMIT :n"),
        {"seed": str(rng.random()), "n": count})).all()
    return list(rows)


def _session_plan(rng: random.Random, student: Any) -> list[tuple[str, str]]:
    """What one guardian presses: the menu, then the views in a random order, some
    navigation (pages, other days and weeks, another subject)."""
    from screens.attendance import AtCb, AtView
    from screens.homework import HwCb, HwView
    from screens.marks import MarksCb, MarksView
    from screens.nav import MenuArea, MenuCb
    from screens.timetable import TtCb, TtView

    s = student.id
    subject = rng.choice(student.subjects)
    other_day = district.DISTRICT_TODAY + dt.timedelta(days=rng.randint(-20, 10))
    steps = [
        ("recent_marks", MarksCb(MarksView.RECENT, s).pack()),
        ("recent_marks_page", MarksCb(MarksView.RECENT, s, p=rng.randint(1, 5)).pack()),
        ("subject_marks", MarksCb(MarksView.SUBJECT, s, j=subject).pack()),
        ("overview", MarksCb(MarksView.OVERVIEW, s).pack()),
        ("timetable_day", TtCb(TtView.DAY, s).pack()),
        ("timetable_day", TtCb(TtView.DAY, s, d=_day(other_day)).pack()),
        ("timetable_week", TtCb(TtView.WEEK, s, d=_day(other_day)).pack()),
        ("homework_day", HwCb(HwView.DAY, s).pack()),
        ("homework_day", HwCb(HwView.DAY, s, d=_day(other_day)).pack()),
        ("homework_subject", HwCb(HwView.SUBJECT, s, j=subject).pack()),
        ("attendance_period", AtCb(AtView.PERIOD, s).pack()),
        ("attendance_week", AtCb(AtView.WEEK, s, d=_day(other_day)).pack()),
    ]
    rng.shuffle(steps)
    return [("menu", MenuCb(MenuArea.MENU).pack()), *steps]


_dispatcher: Any = None


async def _latencies(urls: dict[str, str], guardians: int, seed: int) -> dict[str, Any]:
    """Guardians of both districts take turns (one guardian's whole plan, then one of the
    other district's), so whatever else the machine does weighs on both alike."""
    from aiogram.fsm.storage.memory import MemoryStorage

    from bot.app import build_bot, build_dispatcher, settle_heap
    from bot.settings import Settings
    from services import clock
    from services.db import make_engine, make_sessionmaker
    from telegram_fakes.chat_client import ChatClient
    from telegram_fakes.local_session import LocalSession

    rng = random.Random(seed)
    engines = {label: make_engine(url) for label, url in urls.items()}
    makers = {label: make_sessionmaker(e) for label, e in engines.items()}
    global _dispatcher
    if _dispatcher is None:  # routers attach to one dispatcher only: built once, re-pointed
        _dispatcher = build_dispatcher(next(iter(makers.values())),
                                       Settings(_env_file=None, code_secret="bench"),
                                       storage=MemoryStorage())
    dp = _dispatcher
    bot = build_bot("42:BENCH", session=LocalSession())
    times: dict[str, dict[str, list[float]]] = {label: defaultdict(list) for label in urls}
    updates = dict.fromkeys(urls, 0)
    busy = dict.fromkeys(urls, 0.0)
    failed = dict.fromkeys(urls, 0)
    try:
        with clock.frozen(NOW):
            turns: list[tuple[str, ChatClient, list[tuple[str, str]]]] = []
            per_label = {}
            for label, maker in makers.items():
                async with maker() as session:
                    per_label[label] = await _students(session, guardians, rng)
            for i in range(guardians):
                for label, students in per_label.items():
                    # The small district has fewer students than guardians: some come back.
                    student = students[i % len(students)]
                    turns.append((label, ChatClient(dp, bot, district.TELEGRAM_BASE
                                                    + student.id),
                                  _session_plan(rng, student)))
            warm_up = 2 * len(urls)  # the pools, the statement cache, Fluent
            settle_heap()  # as `diary run` does once it is up
            for n, (label, client, plan) in enumerate(turns):
                dp["sessionmaker"] = makers[label]
                for view, data in plan:
                    t = time.perf_counter()
                    replies = await client.click(data)
                    took = time.perf_counter() - t
                    if n >= warm_up:
                        times[label][view].append(took * 1000)
                        updates[label] += 1
                        busy[label] += took
                        failed[label] += not replies
                bot.session.requests.clear()  # type: ignore[attr-defined]
    finally:
        await bot.session.close()
        for engine in engines.values():
            await engine.dispose()
    return {label: {
        "updates": updates[label],
        "updates_per_s": round(updates[label] / busy[label], 1) if busy[label] else None,
        "unanswered": failed[label],
        "views": {v: {"n": len(ms), "p50_ms": round(_percentile(ms, 0.5), 2),
                      "p95_ms": round(_percentile(ms, 0.95), 2),
                      "p99_ms": round(_percentile(ms, 0.99), 2),
                      "mean_ms": round(statistics.fmean(ms), 2)}
                  for v, ms in sorted(times[label].items())}} for label in urls}


async def view_buffers(db_url: str, student_id: int | None = None) -> dict[str, Any]:
    """Shared buffers (hit + read) of every statement each view's services run for one
    student, by EXPLAIN (ANALYZE, BUFFERS) of the statements as they were sent."""
    from services import access, attendance, clock, homework, marks, teacher_days, timetable
    from services.db import make_engine, make_sessionmaker

    engine = make_engine(db_url)
    captured: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                executemany: bool) -> None:
        if not statement.lstrip().upper().startswith("EXPLAIN"):
            captured.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    result: dict[str, Any] = {}
    try:
        with clock.frozen(NOW):
            async with make_sessionmaker(engine)() as session:
                if student_id is None:
                    student_id = int(await session.scalar(text(
                        "SELECT s.id FROM students s JOIN classes c ON c.id = s.class_id "
                        "WHERE c.grade = 7 ORDER BY s.id OFFSET 1 LIMIT 1")))
                account = district_account = int(await session.scalar(text(
                    "SELECT id FROM accounts WHERE telegram_id = :t"),
                    {"t": district.TELEGRAM_BASE + student_id}))
                grant = await access.student_access(session, account, student_id)
                subject = int(await session.scalar(text(
                    "SELECT min(subject_id) FROM marks WHERE student_id = :s"),
                    {"s": student_id}))
                day = district.DISTRICT_TODAY
                school = student_id // 10000  # class k*100+n, student class*100+i
                director, teacher = (district.STAFF_ACCOUNT_BASE + school * 1000 + j
                                     for j in (1, district.TEACHER_BASE))
                views: dict[str, Callable[[], Awaitable[Any]]] = {
                    "recent_marks": lambda: marks.recent_marks(session, grant),
                    "subject_marks": lambda: marks.subject_marks(session, grant, subject),
                    "overview": lambda: marks.period_overview(session, grant),
                    "timetable_day": lambda: timetable.day_timetable(session, grant, day),
                    "timetable_week": lambda: timetable.week_timetable(session, grant, day),
                    "tests": lambda: timetable.test_schedule(session, grant),
                    "homework_day": lambda: homework.homework_for_day(session, grant),
                    "homework_subject": lambda: homework.subject_homework(
                        session, grant, district_account, subject),
                    "attendance_period": lambda: attendance.period_attendance(session, grant),
                    "teacher_week": lambda: teacher_days.teacher_week(session, teacher, day),
                    "school_day": lambda: teacher_days.school_day(session, director, day),
                }
                for name, run in views.items():
                    captured.clear()
                    await run()
                    statements = list(captured)
                    per_statement = []
                    for sql, params in statements:
                        raw = await session.connection()
                        rows = await raw.exec_driver_sql(
                            "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
                        plan: Any = rows.scalar()
                        top = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
                        per_statement.append(int(top.get("Shared Hit Blocks", 0))
                                             + int(top.get("Shared Read Blocks", 0)))
                    result[name] = {"statements": len(per_statement),
                                    "buffers": sum(per_statement),
                                    "per_statement": per_statement}
                await session.rollback()
    finally:
        await engine.dispose()
    return {"student_id": student_id, "views": result}


async def measure(guardians: int = 250, seed: int = 14) -> dict[str, Any]:
    """Both districts (built on first use, cached after), the latencies and the ratios."""
    return await asyncio.to_thread(_measure, guardians, seed)


def _measure(guardians: int, seed: int) -> dict[str, Any]:
    # The embedded servers' context managers are synchronous and a build runs an event loop
    # of its own: in a thread, each measurement gets its own loop too.
    from bot.district_cache import district_database

    built: dict[str, dict[str, Any]] = {"10M": {}, "10k": {}}
    with district_database(1.0, report=built["10M"]) as big, \
            district_database(SMALL_SCALE, report=built["10k"]) as small:
        urls = {"10M": big, "10k": small}
        latencies = asyncio.run(_latencies(urls, guardians, seed))
        out: dict[str, Any] = {label: {
            "marks": built[label]["counts"]["marks"], "db_mb": built[label]["db_mb"],
            "build_s": built[label]["build_s"], "built_now": built[label]["built_now"],
            **latencies[label], "buffers": asyncio.run(view_buffers(url))}
            for label, url in urls.items()}
    big_views, small_views = out["10M"]["views"], out["10k"]["views"]
    out["p99_ratio"] = {v: round(big_views[v]["p99_ms"] / small_views[v]["p99_ms"], 2)
                        for v in big_views
                        if v in small_views and small_views[v]["p99_ms"] > 0}
    out["p99_ratio_goal"] = 1.5
    out["p99_ratio_max"] = max(out["p99_ratio"].values(), default=None)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guardians", type=int, default=250)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.guardians, args.seed)), ensure_ascii=False))


if __name__ == "__main__":
    main()
