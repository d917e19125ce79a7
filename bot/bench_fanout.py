"""The fan-out and job figures for `make bench`: class- and school-wide events on a generated
school of 1,000 students with a guardian each (linked in the bot, consent given).

The generator (SQL `generate_series`, seconds) makes one school: classes of 25 students,
grades 2-11, 10 subjects, four quarters, the autumn's lessons (five a day), about a fifth of
the students marked in each held lesson, and first-quarter period marks (and a school of
100 the same way, run first: its statement counts are printed beside, to show they do not
grow). Then, each in its own transaction and timed with the statements it ran: a
class-wide lesson change, a class's homework and notice, a school-wide notice, the Friday
forecast job and the period-risk job.
`python -m bot.bench_fanout` prints JSON; `measure(db_url)` returns the same dict.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

TODAY = dt.date(2026, 11, 23)  # a Monday of the second quarter
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Moscow"))
STUDENTS, SMALL, CLASS_SIZE, SUBJECTS = 1000, 100, 25, 10


def ids(school_id: int) -> int:
    """The base of a generated school's ids (schools, staff, classes, students, accounts
    each take a range above it), so several generated schools share a database."""
    return school_id * 100_000


def _generate(sid: int, students: int, size: int) -> list[str]:
    b, classes = ids(sid), max(1, students // size)
    return [
        f"""INSERT INTO schools (id, name, timezone, rounding_threshold, link_code_ttl_hours,
               backfill_days, consent_version, quiet_start, quiet_end, external_id)
           VALUES ({sid}, 'Fan-out school {sid}', 'Europe/Moscow', 0.5, 72, 7, 1, '21:00',
                   '07:00', 'fanout-{sid}')""",
        f"""INSERT INTO academic_years (id, school_id, name, starts_on, ends_on)
           VALUES ({sid}, {sid}, '2026/2027', '2026-09-01', '2027-05-26')""",
        f"""INSERT INTO periods (school_id, academic_year_id, kind, number, name, starts_on,
               ends_on, grade_min, grade_max)
           VALUES ({sid}, {sid}, 'quarter', 1, '1 четверть', '2026-09-01', '2026-10-23', 1, 11),
                  ({sid}, {sid}, 'quarter', 2, '2 четверть', '2026-11-05', '2026-12-25', 1, 11),
                  ({sid}, {sid}, 'quarter', 3, '3 четверть', '2027-01-12', '2027-03-19', 1, 11),
                  ({sid}, {sid}, 'quarter', 4, '4 четверть', '2027-03-30', '2027-05-26', 1, 11),
                  ({sid}, {sid}, 'year', 1, 'Учебный год', '2026-09-01', '2027-05-26', 1, 11)""",
        f"""INSERT INTO work_types (id, school_id, code, name, weight, is_test)
           VALUES ({b}, {sid}, 'answer', 'Ответ на уроке', 1, false),
                  ({b + 1}, {sid}, 'test', 'Контрольная работа', 3, true)""",
        # Staff b+n: class teachers 1..classes, subject teachers after them, the director 0.
        f"""INSERT INTO staff (id, school_id, last_name, first_name, middle_name, is_active)
            SELECT {b} + n, {sid}, 'Учитель' || n, 'Имя', 'Отчество', true
            FROM generate_series(0, {classes + SUBJECTS}) n""",
        f"""INSERT INTO staff_roles (staff_id, school_id, role)
            SELECT {b}, {sid}, 'director'::staffrolekind UNION ALL
            SELECT {b} + n, {sid}, 'class_teacher'::staffrolekind
            FROM generate_series(1, {classes}) n""",
        f"""INSERT INTO subjects (id, school_id, name, short_name, pass_fail)
            SELECT {b} + n, {sid}, 'Предмет ' || n, 'П' || n, false
            FROM generate_series(1, {SUBJECTS}) n""",
        f"""INSERT INTO classes (id, school_id, academic_year_id, grade, letter, name,
               class_teacher_id)
            SELECT {b} + n, {sid}, {sid}, 2 + (n - 1) % 10, chr(1039 + (n + 9) / 10),
                   (2 + (n - 1) % 10)::text || chr(1039 + (n + 9) / 10) || n, {b} + n
            FROM generate_series(1, {classes}) n""",
        f"""INSERT INTO curriculum (class_id, subject_id, hours_per_week, hours_per_year)
            SELECT {b} + c, {b} + s, 2.5, 85
            FROM generate_series(1, {classes}) c, generate_series(1, {SUBJECTS}) s""",
        f"""INSERT INTO teaching_assignments (staff_id, class_id, subject_id)
            SELECT {b} + {classes} + s, {b} + c, {b} + s
            FROM generate_series(1, {classes}) c, generate_series(1, {SUBJECTS}) s""",
        # Student b+k, guardian b+k, the guardian's account b+k (telegram id and chat too).
        f"""INSERT INTO students (id, school_id, class_id, last_name, first_name, status)
            SELECT {b} + k, {sid}, {b} + 1 + (k - 1) / {size}, 'Ученик' || k,
                   'Имя' || k, 'active'
            FROM generate_series(1, {classes * size}) k""",
        f"""INSERT INTO guardians (id, school_id, last_name, first_name, prefers_paper)
            SELECT id, {sid}, last_name, 'Родитель', false FROM students WHERE school_id = {sid}""",
        f"""INSERT INTO guardian_students (guardian_id, student_id, relation)
            SELECT id, id, 'mother' FROM students WHERE school_id = {sid}""",
        f"""INSERT INTO accounts (id, telegram_id, chat_id, locale, is_active)
            SELECT id, id, id, CASE WHEN id % 10 = 0 THEN 'en' ELSE 'ru' END, true
            FROM students WHERE school_id = {sid}
            UNION ALL SELECT {b}, {b}, {b}, 'ru', true""",
        f"""INSERT INTO account_links (account_id, kind, school_id, student_id, guardian_id,
               consent_pending)
            SELECT id, 'guardian', {sid}, id, id, false FROM students WHERE school_id = {sid}""",
        f"""INSERT INTO account_links (account_id, kind, school_id, staff_id, consent_pending)
            VALUES ({b}, 'staff', {sid}, {b}, false)""",
        f"""INSERT INTO consents (account_id, student_id, guardian_id, decision, text_version,
               source)
            SELECT id, id, id, 'given', 1, 'bot' FROM students WHERE school_id = {sid}""",
        # Five lessons a school day per class, subjects in turn; held until today.
        f"""INSERT INTO lessons (school_id, class_id, subject_id, teacher_id, date, slot,
               status)
            SELECT {sid}, {b} + c, {b} + 1 + (d.n * 5 + slot + c) % {SUBJECTS},
                   {b} + {classes} + 1 + (d.n * 5 + slot + c) % {SUBJECTS}, d.day, slot,
                   CASE WHEN d.day < '{TODAY}' THEN 'held'
                        ELSE 'scheduled' END::lessonstatus
            FROM (SELECT row_number() OVER () AS n, day::date AS day
                  FROM generate_series(date '2026-09-01', date '2026-12-25', '1 day') day
                  WHERE extract(isodow FROM day) < 6
                    AND day NOT BETWEEN '2026-10-24' AND '2026-11-04') d,
                 generate_series(1, {classes}) c, generate_series(1, 5) slot""",
        f"""INSERT INTO marks (school_id, student_id, subject_id, lesson_id, work_type_id, date,
               value, weight, entered_by_id, entered_at)
            SELECT {sid}, st.id, l.subject_id, l.id,
                   CASE WHEN (st.id + l.id) % 9 = 0 THEN {b + 1} ELSE {b} END, l.date,
                   2 + (st.id * 3 + l.id) % 4, CASE WHEN (st.id + l.id) % 9 = 0 THEN 3 ELSE 1 END,
                   l.teacher_id, l.date + time '12:00'
            FROM lessons l JOIN students st ON st.class_id = l.class_id
            WHERE l.school_id = {sid} AND l.status = 'held' AND (st.id + l.id * 3) % 5 = 0""",
        f"""INSERT INTO final_marks (school_id, student_id, subject_id, period_id, kind, value,
               postponed)
            SELECT {sid}, st.id, sj.id, p.id, 'period', 3 + (st.id + sj.id) % 3, false
            FROM students st, subjects sj, periods p
            WHERE st.school_id = {sid} AND sj.school_id = {sid} AND p.school_id = {sid}
              AND p.kind = 'quarter' AND p.number = 1""",
    ]


async def generate(session: AsyncSession, school_id: int = 900, students: int = STUDENTS,
                   class_size: int = CLASS_SIZE) -> dict[str, int]:
    """One school of `students` (rounded down to whole classes), ids from `ids(school_id)`:
    class n is `ids + n`, the director's staff and account `ids`, each student's guardian
    and account share the student's id. Returns row counts."""
    for sql in _generate(school_id, students, class_size):
        await session.execute(text(sql))
    counts = {}
    for table in ("students", "lessons", "marks"):
        counts[table] = int(await session.scalar(text(
            f"SELECT count(*) FROM {table} WHERE school_id = :s"), {"s": school_id}) or 0)
    return counts


class StatementCounter:
    """Counts the statements an engine sends while it is installed (`with counter:`)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine.sync_engine
        self.count = 0

    def _seen(self, *_: Any) -> None:
        self.count += 1

    def __enter__(self) -> StatementCounter:
        self.count = 0
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_: Any) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


# --- the events -------------------------------------------------------------------------


async def lesson_change(session: AsyncSession, school_id: int) -> int:
    from services import journal

    lesson_id = await session.scalar(text(
        "SELECT id FROM lessons WHERE class_id = :c AND date > :d ORDER BY date, slot LIMIT 1"),
        {"c": ids(school_id) + 1, "d": TODAY})
    return (await journal.change_lesson(session, int(lesson_id or 0),
                                        status="cancelled")).queued


async def class_homework(session: AsyncSession, school_id: int) -> int:
    from services import journal

    return (await journal.set_homework(
        session, class_id=ids(school_id) + 1, subject_id=ids(school_id) + 1,
        due_on=TODAY + dt.timedelta(days=2), text="§12, упражнения 1-5")).queued


async def class_notice(session: AsyncSession, school_id: int) -> int:
    from services import notices

    return (await notices.post(session, ids(school_id), class_id=ids(school_id) + 1,
                               audience="both", text="Родительское собрание в четверг")).queued


async def school_notice(session: AsyncSession, school_id: int) -> int:
    from services import notices

    return (await notices.post(session, ids(school_id), class_id=None, audience="both",
                               text="Школа закрыта в понедельник")).queued


async def weekly_forecasts(session: AsyncSession, school_id: int) -> int:
    from services import forecast_jobs
    from services.notifications import school_clock

    return await forecast_jobs.weekly_forecasts(
        session, await school_clock(session, school_id), TODAY)


async def period_risks(session: AsyncSession, school_id: int) -> int:
    from services import forecast_jobs
    from services.calendar import PeriodInfo
    from services.models import PeriodKind
    from services.notifications import school_clock

    row = (await session.execute(text(
        "SELECT id, number, name, starts_on, ends_on FROM periods "
        "WHERE school_id = :s AND kind = 'quarter' AND number = 2"), {"s": school_id})).one()
    due = forecast_jobs.RiskPeriod(
        PeriodInfo(row.id, PeriodKind.QUARTER, row.number, row.name, row.starts_on,
                   row.ends_on), (1, 11))
    return await forecast_jobs.period_risks(
        session, await school_clock(session, school_id), due, TODAY)


EVENTS: dict[str, Callable[[AsyncSession, int], Awaitable[int]]] = {
    "lesson_change_class": lesson_change,
    "homework_class": class_homework,
    "notice_class": class_notice,
    "notice_school": school_notice,
    "forecast_weekly_job": weekly_forecasts,
    "period_risk_job": period_risks,
}


async def run_event(engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession],
                    name: str, school_id: int) -> dict[str, Any]:
    """One event in its own transaction: rows queued, statements, seconds."""
    from services import clock

    with clock.frozen(NOW), StatementCounter(engine) as counter:
        began = time.monotonic()
        async with sessionmaker.begin() as session:
            queued = await EVENTS[name](session, school_id)
        took = time.monotonic() - began
    return {"rows": queued, "statements": counter.count, "s": round(took, 3)}


async def measure(db_url: str, students: int = STUDENTS) -> dict[str, Any]:
    """Generate the school on a migrated scratch database, then time every event."""
    from services import migrate
    from services.db import make_engine, make_sessionmaker

    engine = make_engine(db_url)
    try:
        await migrate.upgrade(engine)
        sessionmaker = make_sessionmaker(engine)
        began = time.monotonic()
        async with sessionmaker.begin() as session:
            counts = await generate(session, 900, students)
            await generate(session, 901, SMALL)
        async with engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
        result: dict[str, Any] = {**counts, "generate_s": round(time.monotonic() - began, 1)}
        # The small school first: it warms the process up (imports, compiled statements)
        # and shows the statements do not grow with the school.
        small = {name: await run_event(engine, sessionmaker, name, 901) for name in EVENTS}
        for name in EVENTS:
            result[name] = {**await run_event(engine, sessionmaker, name, 900),
                            f"statements_at_{SMALL}": small[name]["statements"]}
        return result
    finally:
        await engine.dispose()


def main() -> None:
    import json

    from bot.bench import _database

    with _database() as db_url:
        print(json.dumps({"fanout": asyncio.run(measure(db_url))}, ensure_ascii=False))


if __name__ == "__main__":
    main()
