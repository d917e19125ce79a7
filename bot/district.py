"""A district for the benchmark: 100 schools, 102,000 students, 10 million marks.

Bench-only, kept out of services. Almost all of it is SQL (`generate_series`,
`INSERT … SELECT`) run on a migrated database; Python only plans the calendar (the demo
school's quarters, holidays and bells, services.demo_seed) and the subject table.

Per school: 34 classes of 30 (grades 1-11, three or four letters each), 21 subjects by
grade, 63 teachers and five administrators, a year of lessons (4-7 a day by grade; about
3 % replaced, 1 % cancelled, 0.5 % moved to the next day), attendance (about 1.5 % of
student-lessons), class-wide homework on most lessons and some individual homework, about
107 current marks a student from grade 2 on, and one guardian per student with a linked,
consented Telegram account (so the real bot shows the child's views); the director and
one teacher of each school have staff chats.

Deterministic: row choices hash ids, no random(). Ids are arithmetic (school k: classes
k*100+n, students class*100+i, staff k*1000+j, subjects k*100+j), so the bench can pick a
student and know its guardian's chat: telegram id = TELEGRAM_BASE + student id.

`--scale 0.01` is one school; below that, fewer classes (0.001: three classes, about 10,000
marks: the small database of the bench). The cached copies live in bot/district_cache.py.

A full build (`python -m bot.district_cache`) took 290-330 s on two shared cores: 3.1
million lessons, 10.06 million marks, 1.15 million attendance rows, 2.7 million homework,
a 4.4 GB database; scale 0.01 takes about 4 s, 0.001 under a second.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import asyncpg

from services.demo_seed import data
from services.demo_seed.school import _Calendar, _plan_terms

GENERATOR_VERSION = 2
TELEGRAM_BASE = 10_000_000  # a guardian's telegram id is this plus the student's id
# Two staff chats a school: the director (school-wide) and the first teacher (staff k*1000+10).
STAFF_TELEGRAM_BASE = 20_000_000  # plus the staff id
STAFF_ACCOUNT_BASE = 2_000_000  # account ids above every student's
CLASS_SIZE = 30
FULL_SCHOOLS, FULL_CLASSES = 100, 34
# About 107 a graded student (31 classes of 34): 10 million marks at full size.
MARKS_PER_STUDENT = 10_400_000 / (FULL_SCHOOLS * 31 * CLASS_SIZE)
DISTRICT_TODAY = dt.date(2027, 4, 15)  # a Thursday of the fourth quarter
BIG_TABLES = ("lessons", "marks", "attendance", "homework")
TIMEZONES = ("Europe/Moscow", "Europe/Kaliningrad", "Asia/Yekaterinburg", "Asia/Novosibirsk",
             "Asia/Vladivostok")

# (name, grade_min, grade_max, hours a week): the demo's subjects spread over the grades.
SUBJECTS: tuple[tuple[str, int, int, int], ...] = (
    ("Русский язык", 1, 11, 4), ("Литературное чтение", 1, 4, 4), ("Литература", 5, 11, 3),
    ("Математика", 1, 6, 5), ("Алгебра", 7, 11, 3), ("Геометрия", 7, 11, 2),
    ("Окружающий мир", 1, 4, 2), ("Английский язык", 2, 11, 3), ("История", 5, 11, 2),
    ("Обществознание", 6, 11, 1), ("Биология", 5, 11, 2), ("География", 5, 11, 2),
    ("Физика", 7, 11, 2), ("Химия", 8, 11, 2), ("Информатика", 7, 11, 1),
    ("Музыка", 1, 8, 1), ("ИЗО", 1, 7, 1), ("Труд", 1, 4, 1), ("Труд (технология)", 5, 9, 2),
    ("Физическая культура", 1, 11, 3), ("ОБЗР", 8, 11, 1),
)
TEACHER_BASE = 10  # staff k*1000+j: 1-5 administration, 10.. teachers (3 per subject)
_ADMIN = (("director",), ("admin", "deputy"), ("deputy",), ("clerk",), ("inspector",))


def layout(scale: float) -> tuple[int, int]:
    """(schools, classes per school) for a scale: 1.0 is the full district."""
    if scale * FULL_SCHOOLS >= 1:
        return max(1, round(scale * FULL_SCHOOLS)), FULL_CLASSES
    return 1, max(1, round(scale * FULL_SCHOOLS * FULL_CLASSES))


def _lit(values: Any) -> str:
    """A SQL literal for text, numbers or dates (the generator's own constants only)."""
    if isinstance(values, str):
        return "'" + values.replace("'", "''") + "'"
    if isinstance(values, dt.date | dt.time):
        return f"'{values.isoformat()}'"
    if isinstance(values, bool):
        return "true" if values else "false"
    return str(values)


def _array(items: Any) -> str:
    return "ARRAY[" + ",".join(_lit(i) for i in items) + "]"


def _values(rows: Any) -> str:
    return ",".join("(" + ",".join(_lit(v) for v in row) + ")" for row in rows)


def _frame_sql(schools: int, classes: int, today: dt.date) -> list[str]:
    start_year = today.year if today.month >= 8 else today.year - 1
    terms = _plan_terms(start_year)
    # Small layouts start at grade 5: every student gets marks, as most do at full size.
    offset = 4 if classes < 11 else 0
    boys, girls = _array(data.BOY_NAMES), _array(data.GIRL_NAMES)
    surnames, mothers = _array(data.SURNAMES), _array(data.MOTHER_NAMES)
    teacher_count = len(SUBJECTS) * 3
    grade = f"(1 + (n - 1 + {offset}) % 11)"
    letter = "chr(1040 + (n - 1) / 11)"
    return [
        f"""INSERT INTO schools (id, name, timezone, rounding_threshold, link_code_ttl_hours,
               backfill_days, consent_version, quiet_start, quiet_end, external_id)
            SELECT k, 'Школа № ' || k, ({_array(TIMEZONES)})[1 + k % {len(TIMEZONES)}],
                   0.5, 72, 7, 1, '21:00', '07:00', 'district-' || k
            FROM generate_series(1, {schools}) k""",
        f"""INSERT INTO academic_years (id, school_id, name, starts_on, ends_on)
            SELECT k, k, '{start_year}/{start_year + 1}', '{start_year}-09-01',
                   '{start_year + 1}-08-31' FROM generate_series(1, {schools}) k""",
        f"""INSERT INTO periods (school_id, academic_year_id, kind, number, name, starts_on,
               ends_on, grade_min, grade_max)
            SELECT k, k, t.kind::periodkind, t.number, t.name, t.s::date, t.e::date, t.g1, t.g2
            FROM generate_series(1, {schools}) k,
                 (VALUES {_values((t.kind.value, t.number, t.name, t.starts_on, t.ends_on,
                                   t.grade_min, t.grade_max) for t in terms)})
                 AS t(kind, number, name, s, e, g1, g2)""",
        f"""INSERT INTO bell_slots (school_id, slot, starts_at, ends_at)
            SELECT k, b.slot, b.s::time, b.e::time FROM generate_series(1, {schools}) k,
                 (VALUES {_values(data.BELLS)}) AS b(slot, s, e)""",
        f"""INSERT INTO work_types (id, school_id, code, name, weight, is_test)
            SELECT k * 10 + w.j, k, w.code, w.name, w.weight, w.is_test
            FROM generate_series(1, {schools}) k,
                 (VALUES {_values((j, *wt) for j, wt in enumerate(data.WORK_TYPES, 1))})
                 AS w(j, code, name, weight, is_test)""",
        f"""INSERT INTO subjects (id, school_id, name, short_name, pass_fail, external_id)
            SELECT k * 100 + s.j, k, s.name, s.short, false, 'SUBJ-' || s.j
            FROM generate_series(1, {schools}) k,
                 (VALUES {_values((j, name, data.SUBJECTS[name])
                                  for j, (name, *_) in enumerate(SUBJECTS, 1))})
                 AS s(j, name, short)""",
        f"""INSERT INTO staff (id, school_id, last_name, first_name, middle_name, is_active,
               external_id)
            SELECT k * 1000 + j, k, ({surnames})[1 + (k * 7 + j) % {len(data.SURNAMES)}],
                   ({boys})[1 + (k + j * 3) % {len(data.BOY_NAMES)}], 'Петрович', true,
                   'S-' || j
            FROM generate_series(1, {schools}) k,
                 (SELECT generate_series(1, {len(_ADMIN)}) UNION ALL
                  SELECT generate_series({TEACHER_BASE}, {TEACHER_BASE + teacher_count - 1}))
                 AS j(j)""",
        f"""INSERT INTO staff_roles (staff_id, school_id, role)
            SELECT k * 1000 + r.j, k, r.role::staffrolekind
            FROM generate_series(1, {schools}) k,
                 (VALUES {_values((j, role) for j, roles in enumerate(_ADMIN, 1)
                                  for role in roles)}) AS r(j, role)
            UNION ALL
            SELECT k * 1000 + j, k, 'subject_teacher'
            FROM generate_series(1, {schools}) k,
                 generate_series({TEACHER_BASE}, {TEACHER_BASE + teacher_count - 1}) j
            UNION ALL
            SELECT k * 1000 + {TEACHER_BASE} + n - 1, k, 'class_teacher'
            FROM generate_series(1, {schools}) k, generate_series(1, {classes}) n""",
        f"""INSERT INTO classes (id, school_id, academic_year_id, grade, letter, name,
               class_teacher_id, external_id)
            SELECT k * 100 + n, k, k, {grade}, {letter}, {grade}::text || {letter},
                   k * 1000 + {TEACHER_BASE} + n - 1, 'C-' || n
            FROM generate_series(1, {schools}) k, generate_series(1, {classes}) n""",
        f"""INSERT INTO curriculum (class_id, subject_id, hours_per_week, hours_per_year)
            SELECT c.id, c.school_id * 100 + s.j, s.h, s.h * 34
            FROM classes c,
                 (VALUES {_values((j, g1, g2, h)
                                  for j, (_, g1, g2, h) in enumerate(SUBJECTS, 1))})
                 AS s(j, g1, g2, h)
            WHERE c.grade BETWEEN s.g1 AND s.g2""",
        f"""INSERT INTO teaching_assignments (staff_id, class_id, subject_id)
            SELECT c.school_id * 1000 + {TEACHER_BASE} + (cu.subject_id % 100 - 1) * 3
                   + c.id % 3, c.id, cu.subject_id
            FROM curriculum cu JOIN classes c ON c.id = cu.class_id""",
        # Half boys, half girls; the mother shares the surname (feminine form).
        f"""INSERT INTO students (id, school_id, class_id, last_name, first_name, middle_name,
               birth_date, status, external_id)
            SELECT c.id * 100 + i, c.school_id, c.id,
                   ({surnames})[1 + (c.id * 31 + i * 17) % {len(data.SURNAMES)}]
                       || CASE WHEN i % 2 = 0 THEN 'а' ELSE '' END,
                   CASE WHEN i % 2 = 0 THEN ({girls})[1 + (c.id + i * 5) % {len(data.GIRL_NAMES)}]
                        ELSE ({boys})[1 + (c.id + i * 7) % {len(data.BOY_NAMES)}] END,
                   NULL, make_date({start_year} - 6 - c.grade, 1 + i % 12, 1 + i % 28),
                   'active', 'ST-' || (c.id * 100 + i)
            FROM classes c, generate_series(1, {CLASS_SIZE}) i""",
        f"""INSERT INTO guardians (id, school_id, last_name, first_name, middle_name,
               prefers_paper, external_id)
            SELECT s.id, s.school_id, regexp_replace(s.last_name, 'а$', '') || 'а',
                   ({mothers})[1 + s.id % {len(data.MOTHER_NAMES)}], NULL, false,
                   'G-' || s.id
            FROM students s""",
        """INSERT INTO guardian_students (guardian_id, student_id, relation)
           SELECT id, id, 'mother' FROM students""",
    ]


def _lessons_sql(days: list[dt.date], today: dt.date) -> list[str]:
    held = f"l.date <= '{today}'"
    return [
        # Lessons a day by grade; the subjects of the class curriculum in turn. `h` hashes
        # the lesson's place to pick the few replaced, cancelled and moved ones.
        f"""INSERT INTO lessons (school_id, class_id, subject_id, teacher_id, substitute_id,
               date, slot, room, topic, planned_work_type_id, status, moved_to_date,
               moved_to_slot, attendance_taken_at, updated_at)
            SELECT q.school_id, q.class_id, q.subject_id, q.teacher, CASE WHEN q.h % 33 = 2
                   THEN q.teacher - q.teacher % 1000 + {TEACHER_BASE}
                        + (q.subject_id % 100 - 1) * 3 + (q.class_id + 1) % 3 END,
                   q.day, q.slot, (100 + q.teacher % 1000)::text,
                   CASE WHEN q.h % 9 <> 0 THEN 'Тема урока ' || (q.day_n / 5 + 1) END,
                   CASE WHEN q.h % 17 = 5 THEN q.school_id * 10 + 7 END,
                   (CASE WHEN q.h % 200 = 3 THEN 'moved' WHEN q.h % 100 = 1 THEN 'cancelled'
                         WHEN q.h % 33 = 2 THEN 'replaced'
                         WHEN q.day <= '{today}' THEN 'held' ELSE 'scheduled' END)::lessonstatus,
                   CASE WHEN q.h % 200 = 3 THEN q.day + CASE WHEN extract(isodow FROM q.day) = 5
                        THEN 3 ELSE 1 END END,
                   CASE WHEN q.h % 200 = 3 THEN least(q.per_day + 1, 7) END,
                   CASE WHEN q.day <= '{today}' THEN q.day + time '12:00' END, now()
            FROM (SELECT c.school_id, c.id AS class_id, d.day, d.n AS day_n, slot, per_day,
                         cur.subjects[1 + (d.n * per_day + slot * 5 + c.id) % cur.len]
                             AS subject_id,
                         c.school_id * 1000 + {TEACHER_BASE}
                             + (cur.subjects[1 + (d.n * per_day + slot * 5 + c.id) % cur.len]
                                % 100 - 1) * 3 + c.id % 3 AS teacher,
                         (2147483647 & hashint8(c.id::bigint * 100000 + d.n * 10 + slot)) AS h
                  FROM classes c
                  CROSS JOIN LATERAL (SELECT array_agg(subject_id ORDER BY subject_id)
                                             AS subjects, count(*)::int AS len
                                      FROM curriculum WHERE class_id = c.id) cur
                  CROSS JOIN LATERAL (SELECT CASE WHEN c.grade = 1 THEN 4
                                                  WHEN c.grade <= 4 THEN 5
                                                  WHEN c.grade <= 9 THEN 6 ELSE 7 END
                                             AS per_day) p
                  CROSS JOIN unnest({_array(days)}::date[]) WITH ORDINALITY AS d(day, n)
                  CROSS JOIN generate_series(1, per_day) slot) q""",
        # Attendance: about 1.5 % of the student-lessons held so far.
        f"""INSERT INTO attendance (school_id, student_id, lesson_id, date, kind, minutes_late,
               entered_by_id, entered_at)
            SELECT l.school_id, s.id, l.id, l.date, a.kind::attendancekind,
                   CASE WHEN a.kind = 'late' THEN 5 + a.h % 20 END, l.teacher_id,
                   l.date + time '12:30'
            FROM lessons l JOIN students s ON s.class_id = l.class_id
            CROSS JOIN LATERAL (SELECT (2147483647 & hashint8(s.id::bigint * 7919 + l.id)) AS h) x
            CROSS JOIN LATERAL (SELECT (ARRAY['absent','ill','ill','ill','excused','late'])
                                       [1 + x.h / 1000 % 6] AS kind, x.h) a
            WHERE {held} AND l.status IN ('held', 'replaced') AND x.h % 1000 < 15""",
        # Class-wide homework on most lessons, due at the subject's next lesson.
        """INSERT INTO homework (school_id, class_id, subject_id, lesson_id, teacher_id,
               assigned_on, due_on, text)
           SELECT school_id, class_id, subject_id, id, teacher_id, date,
                  coalesce(next_date, date + 7), 'Упражнения к уроку ' || slot || ', § ' || id % 40
           FROM (SELECT l.*, lead(l.date) OVER (PARTITION BY l.class_id, l.subject_id
                                                 ORDER BY l.date, l.slot) AS next_date
                 FROM lessons l WHERE l.status <> 'cancelled') l
           WHERE (2147483647 & hashint8(id)) % 5 <> 0""",
        # Individual homework: a few a student over the year.
        """INSERT INTO homework (school_id, class_id, student_id, subject_id, lesson_id,
               teacher_id, assigned_on, due_on, text)
           SELECT l.school_id, l.class_id, s.id, l.subject_id, l.id, l.teacher_id, l.date,
                  l.date + 3, 'Индивидуальное задание'
           FROM lessons l JOIN students s ON s.class_id = l.class_id
           WHERE l.status <> 'cancelled'
             AND (2147483647 & hashint8(s.id::bigint * 104729 + l.id)) % 400 = 0""",
    ]


def _marks_sql(today: dt.date, per_lesson: float) -> str:
    threshold = max(1, round(per_lesson * 100_000))
    # Work types by share: answers most, tests on a lesson planned as one.
    return f"""
        INSERT INTO marks (school_id, student_id, subject_id, lesson_id, work_type_id, date,
            value, passed, weight, comment, entered_by_id, entered_at, deleted_at)
        SELECT l.school_id, s.id, l.subject_id, l.id, l.school_id * 10 + w.j, l.date,
               (ARRAY[2, 3, 3, 4, 4, 4, 4, 5, 5, 5])[1 + x.h / 100000 % 10], NULL,
               (ARRAY[1, 1, 2, 2, 2, 2, 3])[w.j],
               CASE WHEN x.h % 53 = 0 THEN 'Повторить правило' END,
               coalesce(l.substitute_id, l.teacher_id),
               l.date + time '12:00' + (x.h % 3600) * interval '1 second',
               CASE WHEN x.h % 997 = 0 THEN l.date + time '18:00' END
        FROM lessons l
        JOIN classes c ON c.id = l.class_id AND c.grade > 1
        JOIN students s ON s.class_id = l.class_id
        CROSS JOIN LATERAL (SELECT (2147483647 & hashint8(s.id::bigint * 2654435761 + l.id)) AS h) x
        CROSS JOIN LATERAL (SELECT CASE WHEN l.planned_work_type_id IS NOT NULL THEN 7
                                        ELSE (ARRAY[1, 1, 1, 1, 1, 2, 2, 3, 4, 5])
                                             [1 + x.h / 1000000 % 10] END AS j) w
        WHERE l.date <= '{today}' AND l.status IN ('held', 'replaced')
          AND x.h % 100000 < {threshold}"""


def _accounts_sql(today: dt.date) -> list[str]:
    since = f"timestamptz '{today - dt.timedelta(days=60)} 12:00+00'"
    return [
        f"""INSERT INTO accounts (id, telegram_id, chat_id, locale, active_student_id,
               is_active, created_at, last_seen_at)
            SELECT id, {TELEGRAM_BASE} + id, {TELEGRAM_BASE} + id, 'ru', id, true, {since},
                   {since} FROM students""",
        f"""INSERT INTO account_links (account_id, kind, school_id, student_id, guardian_id,
               consent_pending, linked_at)
            SELECT id, 'guardian', school_id, id, id, false, {since} FROM students""",
        f"""INSERT INTO consents (account_id, student_id, guardian_id, decision, text_version,
               decided_at, source)
            SELECT id, id, id, 'given', 1, {since}, 'bot' FROM students""",
        f"""INSERT INTO accounts (id, telegram_id, chat_id, locale, is_active, created_at,
               last_seen_at)
            SELECT {STAFF_ACCOUNT_BASE} + id, {STAFF_TELEGRAM_BASE} + id,
                   {STAFF_TELEGRAM_BASE} + id, 'ru', true, {since}, {since}
            FROM staff WHERE id % 1000 IN (1, {TEACHER_BASE})""",
        f"""INSERT INTO account_links (account_id, kind, school_id, staff_id, consent_pending,
               linked_at)
            SELECT {STAFF_ACCOUNT_BASE} + id, 'staff', school_id, id, false, {since}
            FROM staff WHERE id % 1000 IN (1, {TEACHER_BASE})""",
    ]


async def _drop_indexes(conn: asyncpg.Connection) -> list[str]:
    """Drop the big tables' indexes and unique constraints (not the primary keys); return
    the statements that bring them back. Building an index once is faster than growing it."""
    rows = await conn.fetch("""
        SELECT c.relname AS tbl, i.relname AS idx, pg_get_indexdef(i.oid) AS def,
               con.conname, pg_get_constraintdef(con.oid) AS condef, con.contype
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class c ON c.oid = x.indrelid
        LEFT JOIN pg_constraint con ON con.conindid = i.oid AND con.conrelid = c.oid
        WHERE c.relname = ANY($1::text[]) AND NOT x.indisprimary""", list(BIG_TABLES))
    restore = []
    for r in rows:
        if r["conname"]:
            await conn.execute(f'ALTER TABLE {r["tbl"]} DROP CONSTRAINT "{r["conname"]}"')
            restore.append(f'ALTER TABLE {r["tbl"]} ADD CONSTRAINT "{r["conname"]}" '
                           f'{r["condef"]}')
        else:
            await conn.execute(f'DROP INDEX "{r["idx"]}"')
            restore.append(r["def"])
    return restore


def school_days(today: dt.date) -> list[dt.date]:
    """The school days of the year holding `today` (the demo's calendar, grade 2 on)."""
    import holidays

    start_year = today.year if today.month >= 8 else today.year - 1
    cal = _Calendar(start_year, _plan_terms(start_year),
                    set(holidays.country_holidays("RU", years=[start_year, start_year + 1])))
    first, last = cal.quarters[0].starts_on, cal.quarters[-1].ends_on
    days = (first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    return [d for d in days if cal.is_school_day(d, 5)]


async def generate(conn: asyncpg.Connection, scale: float = 1.0,
                   today: dt.date = DISTRICT_TODAY, *, bulk: bool = True) -> dict[str, Any]:
    """Fill a migrated, empty database. `bulk` (the cached build): foreign keys are not
    checked row by row (the ids are consistent by construction) and the big tables'
    indexes are built after the load; without it (the tests) every constraint is checked."""
    schools, classes = layout(scale)
    steps: dict[str, float] = {}
    began = time.monotonic()

    async def run(name: str, sql: str | list[str]) -> None:
        t = time.monotonic()
        for statement in [sql] if isinstance(sql, str) else sql:
            await conn.execute(statement)
        steps[name] = round(time.monotonic() - t, 1)

    restore: list[str] = []
    if bulk:
        await conn.execute("SET session_replication_role = replica")
        await conn.execute("SET maintenance_work_mem = '1GB'")
        await conn.execute("SET work_mem = '256MB'")
        await conn.execute("SET synchronous_commit = off")
        restore = await _drop_indexes(conn)
    async with conn.transaction():
        await run("frame", _frame_sql(schools, classes, today))
        await run("lessons", _lessons_sql(school_days(today), today))
        graded_lessons = await conn.fetchval(f"""
            SELECT count(*)::float / greatest(count(DISTINCT l.class_id), 1) FROM lessons l
            JOIN classes c ON c.id = l.class_id AND c.grade > 1
            WHERE l.date <= '{today}' AND l.status IN ('held', 'replaced')""")
        # The same marks a student at every scale: the views read the same per child.
        await run("marks", _marks_sql(today, MARKS_PER_STUDENT / max(graded_lessons, 1.0)))
        await run("accounts", _accounts_sql(today))
        await run("sequences", [
            f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), "
            f"(SELECT coalesce(max(id), 0) + 1 FROM {t}), false)"
            for t in ("schools", "academic_years", "staff", "subjects", "work_types",
                      "classes", "students", "guardians", "accounts")])
        if restore:
            await run("indexes", restore)
    if bulk:
        await conn.execute("SET session_replication_role = origin")
    await run("vacuum", "VACUUM (ANALYZE)")  # all-visible pages: index-only scans work
    counts = {t: int(await conn.fetchval(f"SELECT count(*) FROM {t}"))
              for t in ("schools", "classes", "students", "lessons", "marks", "attendance",
                        "homework", "accounts")}
    counts["individual_homework"] = int(await conn.fetchval(
        "SELECT count(*) FROM homework WHERE student_id IS NOT NULL"))
    return {"scale": scale, "counts": counts, "steps_s": steps,
            "build_s": round(time.monotonic() - began, 1),
            "db_mb": round(int(await conn.fetchval(
                "SELECT pg_database_size(current_database())")) / 2**20)}
