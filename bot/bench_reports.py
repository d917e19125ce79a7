"""The reports' figure for `make bench`: every report of one generated school-year, timed.

The generator (SQL `generate_series`, seconds) makes one school: 16 classes of grades 2-11
with 25 students each, 10 subjects, four quarters, 170 school days of five lessons a class
(13,600 lessons, topics and homework on most), about 109,000 current marks, 27,000
attendance rows with some of them late, guardians and 16,000 period marks. Then each report
is made school-wide: `sql_s` is the report's queries (one transaction), `xlsx_s` the
workbook; the paper extracts of one class are timed the same way (`pdf_s`). Printed as
JSON by bot/bench.py under "reports".
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

YEAR_START = dt.date(2026, 9, 1)
TODAY = dt.date(2027, 5, 20)  # late in the year: nearly every lesson is held
CLASSES, STUDENTS, SUBJECTS, LESSONS_A_DAY = 16, 25, 10, 5

_GENERATE = [
    """INSERT INTO schools (id, name, timezone, rounding_threshold, link_code_ttl_hours,
           backfill_days, consent_version, quiet_start, quiet_end, external_id)
       VALUES (900, 'Bench school', 'Europe/Moscow', 0.5, 72, 7, 1, '21:00', '07:00',
               'bench-school')""",
    """INSERT INTO academic_years (id, school_id, name, starts_on, ends_on)
       VALUES (900, 900, '2026/2027', '2026-09-01', '2027-05-26')""",
    """INSERT INTO periods (school_id, academic_year_id, kind, number, name, starts_on,
           ends_on, grade_min, grade_max)
       VALUES (900, 900, 'quarter', 1, '1 четверть', '2026-09-01', '2026-10-23', 1, 11),
              (900, 900, 'quarter', 2, '2 четверть', '2026-11-05', '2026-12-25', 1, 11),
              (900, 900, 'quarter', 3, '3 четверть', '2027-01-12', '2027-03-19', 1, 11),
              (900, 900, 'quarter', 4, '4 четверть', '2027-03-30', '2027-05-26', 1, 11),
              (900, 900, 'year', 1, 'Учебный год', '2026-09-01', '2027-05-26', 1, 11)""",
    """INSERT INTO work_types (id, school_id, code, name, weight, is_test)
       VALUES (900, 900, 'answer', 'Ответ на уроке', 1, false),
              (901, 900, 'test', 'Контрольная работа', 3, true)""",
    f"""INSERT INTO staff (id, school_id, last_name, first_name, middle_name, is_active)
        SELECT 9000 + n, 900, 'Учитель' || n, 'Имя', 'Отчество', true
        FROM generate_series(1, {CLASSES + SUBJECTS}) n""",
    f"""INSERT INTO subjects (id, school_id, name, short_name, pass_fail)
        SELECT 9000 + n, 900, 'Предмет ' || n, 'П' || n, false
        FROM generate_series(1, {SUBJECTS}) n""",
    f"""INSERT INTO classes (id, school_id, academic_year_id, grade, letter, name,
           class_teacher_id)
        SELECT 9000 + n, 900, 900, 2 + (n - 1) % 10, chr(1039 + (n + 9) / 10),
               (2 + (n - 1) % 10)::text || chr(1039 + (n + 9) / 10), 9000 + n
        FROM generate_series(1, {CLASSES}) n""",
    f"""INSERT INTO curriculum (class_id, subject_id, hours_per_week, hours_per_year)
        SELECT 9000 + c, 9000 + s, 2.5, 85
        FROM generate_series(1, {CLASSES}) c, generate_series(1, {SUBJECTS}) s""",
    f"""INSERT INTO teaching_assignments (staff_id, class_id, subject_id)
        SELECT 9000 + {CLASSES} + s, 9000 + c, 9000 + s
        FROM generate_series(1, {CLASSES}) c, generate_series(1, {SUBJECTS}) s""",
    f"""INSERT INTO students (id, school_id, class_id, last_name, first_name, middle_name,
           status)
        SELECT 90000 + (c - 1) * {STUDENTS} + n, 900, 9000 + c, 'Ученик' || n, 'Имя' || c,
               NULL, 'active'
        FROM generate_series(1, {CLASSES}) c, generate_series(1, {STUDENTS}) n""",
    """INSERT INTO guardians (id, school_id, last_name, first_name, prefers_paper)
       SELECT id, 900, last_name, 'Родитель', id % 10 = 0 FROM students WHERE school_id = 900""",
    """INSERT INTO guardian_students (guardian_id, student_id, relation)
       SELECT id, id, 'mother' FROM students WHERE school_id = 900""",
    # Five lessons a school day per class, subjects in turn; a topic on most.
    f"""INSERT INTO lessons (school_id, class_id, subject_id, teacher_id, date, slot, topic,
           status)
        SELECT 900, 9000 + c, 9000 + 1 + (d.n * {LESSONS_A_DAY} + slot + c) % {SUBJECTS},
               9000 + {CLASSES} + 1 + (d.n * {LESSONS_A_DAY} + slot + c) % {SUBJECTS},
               d.day, slot, CASE WHEN (d.n + slot) % 23 = 0 THEN NULL ELSE 'Тема' END,
               CASE WHEN d.day <= '{TODAY}' THEN 'held' ELSE 'scheduled' END::lessonstatus
        FROM (SELECT row_number() OVER () AS n, day::date AS day
              FROM generate_series(date '{YEAR_START}', date '2027-05-26', '1 day') day
              WHERE extract(isodow FROM day) < 6 LIMIT 170) d,
             generate_series(1, {CLASSES}) c, generate_series(1, {LESSONS_A_DAY}) slot""",
    """INSERT INTO homework (school_id, class_id, subject_id, lesson_id, teacher_id,
           assigned_on, due_on, text)
       SELECT school_id, class_id, subject_id, id, teacher_id, date, date + 2, 'Задание'
       FROM lessons WHERE school_id = 900 AND id % 7 <> 0""",
    # Eight marks a held lesson; one in 40 entered a week late.
    """INSERT INTO marks (school_id, student_id, subject_id, lesson_id, work_type_id, date,
           value, weight, entered_by_id, entered_at, comment)
       SELECT 900, st.id, l.subject_id, l.id, 900, l.date, 2 + (st.id + l.id) % 4, 1,
              l.teacher_id,
              (l.date + CASE WHEN (st.id + l.id) % 40 = 0 THEN 7 ELSE 0 END) + time '12:00',
              CASE WHEN (st.id + l.id) % 50 = 0 THEN 'Хорошо' END
       FROM lessons l JOIN students st ON st.class_id = l.class_id
       WHERE l.school_id = 900 AND l.status = 'held' AND (st.id + l.id * 3) % 25 < 8""",
    """INSERT INTO attendance (school_id, student_id, lesson_id, date, kind, entered_by_id,
           entered_at)
       SELECT 900, st.id, l.id, l.date, 'ill', l.teacher_id,
              (l.date + CASE WHEN l.id % 30 = 0 THEN 6 ELSE 0 END) + time '10:00'
       FROM lessons l JOIN students st ON st.class_id = l.class_id
       WHERE l.school_id = 900 AND l.status = 'held' AND (st.id * 7 + l.id) % 50 < 2""",
    """INSERT INTO final_marks (school_id, student_id, subject_id, period_id, kind, value,
           postponed)
       SELECT 900, st.id, sj.id, p.id, 'period', 2 + (st.id + sj.id + p.id) % 4, false
       FROM students st, subjects sj, periods p
       WHERE st.school_id = 900 AND sj.school_id = 900 AND p.school_id = 900
         AND p.kind = 'quarter' AND p.ends_on < '2027-05-26'
         AND (st.id + sj.id) % 97 <> 0""",
    "ANALYZE",
]


async def generate(session: AsyncSession) -> dict[str, int]:
    for sql in _GENERATE:
        await session.execute(text(sql))
    counts = {}
    for table in ("lessons", "marks", "attendance", "final_marks", "homework"):
        counts[table] = int(await session.scalar(text(
            f"SELECT count(*) FROM {table} WHERE school_id = 900")) or 0)
    return counts


async def _run(db_url: str) -> dict[str, Any]:
    from screens.extracts_pdf import render_extracts_pdf
    from screens.i18n import translator
    from screens.reports_xlsx import render_xlsx
    from services import migrate
    from services.db import make_engine, make_sessionmaker
    from services.reports.extracts import class_extracts
    from services.reports.registry import REPORTS, build_report, make_scope

    t = translator("ru")
    engine = make_engine(db_url)
    try:
        await migrate.upgrade(engine)
        sessionmaker = make_sessionmaker(engine)
        began = time.monotonic()
        async with sessionmaker.begin() as session:
            counts = await generate(session)
        result: dict[str, Any] = {**counts, "generate_s": round(time.monotonic() - began, 1)}
        timings: dict[str, Any] = {}
        for name in REPORTS:
            class_id = 9001 if REPORTS[name].needs_class else None
            began = time.monotonic()
            async with sessionmaker() as session:
                scope = await make_scope(session, 900, class_id=class_id, today=TODAY)
                report = await build_report(session, name, scope)
            sql_s = time.monotonic() - began
            began = time.monotonic()
            workbook = render_xlsx(report, t)
            timings[name.value] = {"sql_s": round(sql_s, 3),
                                   "xlsx_s": round(time.monotonic() - began, 3),
                                   "rows": sum(len(s.rows) for s in report.sheets),
                                   "xlsx_kb": len(workbook) // 1024}
        began = time.monotonic()
        async with sessionmaker() as session:
            batch = await class_extracts(session, 9001, TODAY - dt.timedelta(days=13), TODAY,
                                         paper_only=False)
        sql_s = time.monotonic() - began
        began = time.monotonic()
        pdf = render_extracts_pdf(batch, t)
        timings["extracts"] = {"sql_s": round(sql_s, 3),
                               "pdf_s": round(time.monotonic() - began, 3),
                               "students": len(batch.extracts), "pdf_kb": len(pdf) // 1024}
        result["reports"] = timings
        result["slowest_report_s"] = max(v["sql_s"] + v.get("xlsx_s", v.get("pdf_s", 0))
                                         for v in timings.values())
        return result
    finally:
        await engine.dispose()


def run(db_url: str) -> dict[str, Any]:
    return asyncio.run(_run(db_url))


def main() -> None:
    import json

    from bot.bench import _database

    with _database() as db_url:
        print(json.dumps(run(db_url), ensure_ascii=False))


if __name__ == "__main__":
    main()
