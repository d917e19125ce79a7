"""The per-view latency at district scale, through the real app (`python -m bot.bench_district`
prints JSON; `measure()` is the same for a combined `make bench`).

Two cached districts (bot/district_cache.py): the full one (100 schools, about 10 million
marks) and a small one of the same generator (about 10,000 marks, the same marks a
student). On each, simulated guardians of random students press the buttons of the
families' views through bot.app.build_dispatcher with an in-process fake Telegram
(LocalSession), one update at a time; each update's wall time from `feed_update` to its
return (routing, SQL, Fluent and the fake Telegram's reply) is noted per view. Printed:
p50/p95/p99 per view on both, the ratio p99(10M)/p99(10k) per view (goal ≤ 1.5), updates a
second, and the shared buffers of each view's statements (EXPLAIN (ANALYZE, BUFFERS) of
every statement the view's services run, for one sample student).
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


async def _latencies(db_url: str, guardians: int, seed: int) -> dict[str, Any]:
    from aiogram.fsm.storage.memory import MemoryStorage

    from bot.app import build_bot, build_dispatcher
    from bot.settings import Settings
    from services import clock
    from services.db import make_engine, make_sessionmaker
    from telegram_fakes.chat_client import ChatClient
    from telegram_fakes.local_session import LocalSession

    rng = random.Random(seed)
    engine = make_engine(db_url)
    sessionmaker = make_sessionmaker(engine)
    global _dispatcher
    if _dispatcher is None:  # routers attach to one dispatcher only: built once, re-pointed
        _dispatcher = build_dispatcher(sessionmaker, Settings(_env_file=None,
                                                              code_secret="bench"),
                                       storage=MemoryStorage())
    dp = _dispatcher
    dp["sessionmaker"] = sessionmaker
    bot = build_bot("42:BENCH", session=LocalSession())
    times: dict[str, list[float]] = defaultdict(list)
    failed = 0
    try:
        with clock.frozen(NOW):
            async with sessionmaker() as session:
                students = await _students(session, guardians, rng)
            plans = [(ChatClient(dp, bot, district.TELEGRAM_BASE + st.id),
                      _session_plan(rng, st)) for st in students]
            # Warm up: the pool, SQLAlchemy's statement cache, Fluent, the first plans.
            for client, plan in plans[:3]:
                for _, data in plan:
                    await client.click(data)
            began = time.perf_counter()
            updates = 0
            for client, plan in plans[3:]:
                for view, data in plan:
                    t = time.perf_counter()
                    replies = await client.click(data)
                    times[view].append((time.perf_counter() - t) * 1000)
                    updates += 1
                    failed += not replies
                bot.session.requests.clear()  # type: ignore[attr-defined]
            elapsed = time.perf_counter() - began
    finally:
        await bot.session.close()
        await engine.dispose()
    return {"updates": updates, "updates_per_s": round(updates / elapsed, 1),
            "unanswered": failed,
            "views": {v: {"n": len(ms), "p50_ms": round(_percentile(ms, 0.5), 2),
                          "p95_ms": round(_percentile(ms, 0.95), 2),
                          "p99_ms": round(_percentile(ms, 0.99), 2),
                          "mean_ms": round(statistics.fmean(ms), 2)}
                      for v, ms in sorted(times.items())}}


async def view_buffers(db_url: str, student_id: int | None = None) -> dict[str, Any]:
    """Shared buffers (hit + read) of every statement each view's services run for one
    student, by EXPLAIN (ANALYZE, BUFFERS) of the statements as they were sent."""
    from services import access, attendance, clock, homework, marks, timetable
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


async def measure(guardians: int = 150, seed: int = 14) -> dict[str, Any]:
    """Both districts (built on first use, cached after), the latencies and the ratios."""
    out: dict[str, Any] = {}
    for label, scale in (("10M", 1.0), ("10k", SMALL_SCALE)):
        out[label] = await asyncio.to_thread(_measure_scale, scale, guardians, seed)
    big, small = out["10M"]["views"], out["10k"]["views"]
    out["p99_ratio"] = {v: round(big[v]["p99_ms"] / small[v]["p99_ms"], 2)
                        for v in big if v in small and small[v]["p99_ms"] > 0}
    out["p99_ratio_goal"] = 1.5
    out["p99_ratio_max"] = max(out["p99_ratio"].values(), default=None)
    return out


def _measure_scale(scale: float, guardians: int, seed: int) -> dict[str, Any]:
    """One district, in a thread of its own: its embedded server starts and stops around
    two event loops (the build, if any, runs a third)."""
    from bot.district_cache import district_database

    built: dict[str, Any] = {}
    with district_database(scale, report=built) as url:
        latencies = asyncio.run(_latencies(url, guardians, seed))
        buffers = asyncio.run(view_buffers(url))
    return {"marks": built["counts"]["marks"], "db_mb": built["db_mb"],
            "build_s": built["build_s"], "built_now": built["built_now"], **latencies,
            "buffers": buffers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guardians", type=int, default=150)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.guardians, args.seed)), ensure_ascii=False))


if __name__ == "__main__":
    main()
