"""Every figure of the XLSX reports equals a value computed here from the raw rows of the
demo school (plain SELECTs of rows, counted in Python), after a few changes that give
each column something to count: late entries, a missing period mark, a refused consent.
The workbook is read back with openpyxl, so what is checked is what staff open."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from screens.i18n import translator
from screens.reports_xlsx import render_xlsx
from services.reports.registry import build_report, make_scope
from tests.conftest import DEMO_TODAY

Q1_FROM, Q1_TO = dt.date(2026, 9, 1), dt.date(2026, 10, 23)  # the demo's first quarter


async def _all(session: AsyncSession, sql: str, **params: Any) -> list[Any]:
    return list((await session.execute(text(sql), params)).all())


async def _one(session: AsyncSession, sql: str, **params: Any) -> Any:
    return (await session.execute(text(sql), params)).scalar_one()


async def _workbook(session: AsyncSession, name: str, class_name: str | None = None,
                    locale: str = "ru") -> Any:
    school = await _one(session, "SELECT id FROM schools WHERE external_id = 'demo-school'")
    class_id = (await _one(session, "SELECT id FROM classes WHERE name = :n", n=class_name)
                if class_name else None)
    scope = await make_scope(session, school, class_id=class_id)
    report = await build_report(session, name, scope)
    return load_workbook(io.BytesIO(render_xlsx(report, translator(locale))))


def _table(ws: Any) -> list[tuple[Any, ...]]:
    """Rows under the header (row 4)."""
    return [tuple(c.value for c in row) for row in ws.iter_rows(min_row=5)]


def _half_up(part: int, whole: int, places: int) -> float | None:
    """part / whole rounded half up, as PostgreSQL's round() of a numeric does."""
    if not whole:
        return None
    exact = Decimal(part) / Decimal(whole)
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _share(part: int, whole: int) -> float | None:
    return _half_up(part, whole, 4)


def _mean(values: list[int]) -> float | None:
    return _half_up(sum(values), len(values), 2)


def _approx(values: list[tuple[Any, ...]]) -> Any:
    return [tuple(pytest.approx(float(v), abs=1e-9) if isinstance(v, float) else v
                  for v in row) for row in values]


async def _period_marks(session: AsyncSession) -> list[Any]:
    return await _all(session, """
        SELECT c.name AS klass, c.grade, sj.name AS subject, f.student_id, f.value
        FROM final_marks f JOIN students st ON st.id = f.student_id
        JOIN classes c ON c.id = st.class_id JOIN subjects sj ON sj.id = f.subject_id
        JOIN periods p ON p.id = f.period_id
        WHERE f.kind = 'period' AND p.name = '1 четверть' AND c.school_id = 1
          AND st.status = 'active'""")


async def _misha(session: AsyncSession) -> int:
    """Петров Михаил of 5А, whose guardian (chat 1001) reads the diary."""
    return int(await _one(session, "SELECT st.id FROM students st JOIN classes c "
                                   "ON c.id = st.class_id WHERE c.name = '5А' "
                                   "AND st.last_name = 'Петров' AND st.first_name = 'Михаил'"))


async def test_progress_and_quality(session: AsyncSession) -> None:
    # One 5А period mark becomes a 2: the student drops out of the progress rate.
    await session.execute(text(
        "UPDATE final_marks SET value = 2 WHERE id = (SELECT f.id FROM final_marks f "
        "JOIN students st ON st.id = f.student_id JOIN classes c ON c.id = st.class_id "
        "WHERE c.name = '5А' AND f.value = 5 ORDER BY f.id LIMIT 1)"))
    marks = [m for m in await _period_marks(session) if m.value is not None]
    book = await _workbook(session, "progress")
    by_class, by_subject = book.worksheets

    subjects: dict[tuple[str, str], list[int]] = defaultdict(list)
    for m in marks:
        subjects[(m.klass, m.subject)].append(m.value)
    expected = [(k, s, "1 четверть", len(v), _share(sum(x >= 3 for x in v), len(v)),
                 _share(sum(x >= 4 for x in v), len(v)), _mean(v))
                for (k, s), v in sorted(subjects.items(),
                                        key=lambda kv: ({"5А": 5, "7Б": 7}[kv[0][0]], kv[0][1]))]
    assert _table(by_subject) == _approx(expected)

    per_student: dict[tuple[str, int], list[int]] = defaultdict(list)
    for m in marks:
        per_student[(m.klass, m.student_id)].append(m.value)
    rows = _table(by_class)
    assert [r[0] for r in rows] == ["5А", "7Б", "10А"]  # 1А gets no marks
    for klass in ("5А", "7Б"):
        lists = [v for (k, _), v in per_student.items() if k == klass]
        every = [x for v in lists for x in v]
        enrolled = await _one(session, "SELECT count(*) FROM students st JOIN classes c "
                                       "ON c.id = st.class_id WHERE c.name = :k "
                                       "AND st.status = 'active'", k=klass)
        row = next(r for r in rows if r[0] == klass)
        assert row == tuple(_approx([(
            klass, "1 четверть", enrolled, len(lists),
            _share(sum(min(v) >= 3 for v in lists), len(lists)),
            _share(sum(min(v) >= 4 for v in lists), len(lists)),
            _mean(every))])[0])
    # 10А has half-years: the first has not ended, so nobody is graded yet.
    assert rows[2][2:] == (25, 0, None, None, None)
    # Shares are percentages, averages two decimals; the header stays when scrolling.
    assert by_class["E5"].number_format == "0.0%" and by_class["G5"].number_format == "0.00"
    assert by_class.freeze_panes == "B5" and by_class._charts


async def test_journal_completion(session: AsyncSession) -> None:
    # Late entries: three 5А maths marks and one absence entered 6 days after the lesson
    # (late), two marks entered exactly 5 days after (in time).
    math = await _one(session, "SELECT id FROM subjects WHERE name = 'Математика' "
                               "AND school_id = 1")
    late_ids = [r.id for r in await _all(session, """
        SELECT m.id FROM marks m JOIN students st ON st.id = m.student_id
        JOIN classes c ON c.id = st.class_id
        WHERE c.name = '5А' AND m.subject_id = :j AND m.date BETWEEN :a AND :b
        ORDER BY m.id LIMIT 5""", j=math, a=Q1_FROM, b=Q1_TO)]
    for n, mark_id in enumerate(late_ids):
        await session.execute(text(
            "UPDATE marks SET entered_at = (date + CAST(:d AS integer) + time '12:00') "
            "AT TIME ZONE 'Europe/Moscow' WHERE id = :id"), {"d": 6 if n < 3 else 5, "id": mark_id})
    await session.execute(text("""
        UPDATE attendance SET entered_at = (date + 9 + time '10:00') AT TIME ZONE
        'Europe/Moscow' WHERE id = (SELECT a.id FROM attendance a JOIN lessons l
        ON l.id = a.lesson_id JOIN classes c ON c.id = l.class_id
        WHERE c.name = '5А' AND a.date BETWEEN :a AND :b ORDER BY a.id LIMIT 1)"""),
        {"a": Q1_FROM, "b": Q1_TO})
    # A lesson without a topic, and a missing period mark.
    await session.execute(text("""
        UPDATE lessons SET topic = NULL WHERE id = (SELECT l.id FROM lessons l
        JOIN classes c ON c.id = l.class_id WHERE c.name = '5А' AND l.subject_id = :j
        AND l.status = 'held' AND l.date BETWEEN :a AND :b ORDER BY l.id LIMIT 1)"""),
        {"j": math, "a": Q1_FROM, "b": Q1_TO})
    await session.execute(text("""
        DELETE FROM final_marks WHERE id = (SELECT f.id FROM final_marks f
        JOIN students st ON st.id = f.student_id JOIN classes c ON c.id = st.class_id
        WHERE c.name = '5А' AND f.subject_id = :j ORDER BY f.id LIMIT 1)"""), {"j": math})

    book = await _workbook(session, "completion", "5А")
    accumulation, unfilled, late, missing = (_table(ws) for ws in book.worksheets)

    marks = await _all(session, """
        SELECT st.last_name || ' ' || st.first_name AS student, sj.name AS subject, m.value
        FROM marks m JOIN students st ON st.id = m.student_id
        JOIN classes c ON c.id = st.class_id JOIN subjects sj ON sj.id = m.subject_id
        WHERE c.name = '5А' AND m.deleted_at IS NULL AND m.date BETWEEN :a AND :b""",
                        a=Q1_FROM, b=Q1_TO)
    counts: dict[tuple[str, str], list[int]] = defaultdict(list)
    for m in marks:
        counts[(m.student, m.subject)].append(m.value)
    shown = {(r[1], r[2]): (r[4], r[5]) for r in accumulation}
    assert {k: v[0] for k, v in shown.items() if v[0]} == {k: len(v) for k, v in counts.items()}
    assert all(shown[k][1] == pytest.approx(_mean(v)) for k, v in counts.items())
    assert len(accumulation) == len(shown)  # one row per student and subject

    lessons = await _all(session, """
        SELECT sj.name AS subject, t.last_name AS teacher, l.topic,
               EXISTS (SELECT 1 FROM homework h WHERE h.lesson_id = l.id) AS homework
        FROM lessons l JOIN classes c ON c.id = l.class_id
        JOIN subjects sj ON sj.id = l.subject_id
        JOIN staff t ON t.id = coalesce(l.substitute_id, l.teacher_id)
        WHERE c.name = '5А' AND l.status IN ('held', 'replaced')
          AND l.date BETWEEN :a AND :b""", a=Q1_FROM, b=Q1_TO)
    per_teacher: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for x in lessons:
        cell = per_teacher[(x.subject, x.teacher)]
        cell[0] += 1
        cell[1] += x.topic is None
        cell[2] += not x.homework
    assert {(r[1], r[2].split()[0]): list(r[3:]) for r in unfilled} == dict(per_teacher)
    assert next(r for r in unfilled if r[1] == "Математика")[4] == 1

    grigoriev = next(r for r in late if r[0].startswith("Григорьев"))
    assert grigoriev[2] == 3  # the two entered on the fifth day are in time
    assert sum(r[4] for r in late) == 1
    entries = await _all(session, """
        SELECT t.last_name AS teacher, count(*) AS n FROM marks m
        JOIN students st ON st.id = m.student_id JOIN classes c ON c.id = st.class_id
        JOIN staff t ON t.id = m.entered_by_id
        WHERE c.name = '5А' AND m.deleted_at IS NULL AND m.date BETWEEN :a AND :b
        GROUP BY t.last_name""", a=Q1_FROM, b=Q1_TO)
    assert {r[0].split()[0]: r[1] for r in late} == {e.teacher: e.n for e in entries}
    absences = await _all(session, """
        SELECT t.last_name AS teacher, count(*) AS n,
               count(*) FILTER (WHERE (a.entered_at AT TIME ZONE 'Europe/Moscow')::date
                                      - a.date > 5) AS late
        FROM attendance a JOIN lessons l ON l.id = a.lesson_id
        JOIN classes c ON c.id = l.class_id JOIN staff t ON t.id = a.entered_by_id
        WHERE c.name = '5А' AND a.date BETWEEN :a AND :b GROUP BY t.last_name""",
                          a=Q1_FROM, b=Q1_TO)
    shown_absences = {r[0].split()[0]: (r[3], r[4]) for r in late if r[3]}
    assert shown_absences == {x.teacher: (x.n, x.late) for x in absences}

    maths = next(r for r in missing if r[1] == "Математика")
    assert maths[3:] == ("1 четверть", dt.datetime(2026, 10, 22), 26, 1)
    assert sum(r[6] for r in missing) == 1


async def test_curriculum_check(session: AsyncSession) -> None:
    lessons = await _all(session, """
        SELECT c.name AS klass, sj.name AS subject, l.date, l.slot, l.status
        FROM lessons l JOIN classes c ON c.id = l.class_id
        JOIN subjects sj ON sj.id = l.subject_id WHERE c.school_id = 1""")
    plan = {(r.klass, r.subject): r.hours for r in await _all(session, """
        SELECT c.name AS klass, sj.name AS subject, cu.hours_per_year AS hours
        FROM curriculum cu JOIN classes c ON c.id = cu.class_id
        JOIN subjects sj ON sj.id = cu.subject_id WHERE c.school_id = 1""")}
    held: dict[tuple[str, str], set[Any]] = defaultdict(set)
    timetabled: dict[tuple[str, str], set[Any]] = defaultdict(set)
    for x in lessons:
        if x.date <= DEMO_TODAY and x.status != "moved":
            timetabled[(x.klass, x.subject)].add((x.date, x.slot))
        if x.date <= DEMO_TODAY and x.status in ("held", "replaced"):
            held[(x.klass, x.subject)].add((x.date, x.slot))
    rows = _table((await _workbook(session, "curriculum")).worksheets[0])
    assert len(rows) == len(plan)
    for r in rows:
        key = (r[0], r[1])
        done = len(held[key])
        assert r[2:5] == (plan[key], len(timetabled[key]), done), key
        assert r[6] == pytest.approx(_share(done, plan[key])) and r[7] == plan[key] - done


async def test_final_marks_check(session: AsyncSession) -> None:
    # One 7Б student's history mark goes missing; the demo has one postponed music mark.
    gone = (await session.execute(text("""
        DELETE FROM final_marks WHERE id = (SELECT f.id FROM final_marks f
        JOIN subjects sj ON sj.id = f.subject_id JOIN students st ON st.id = f.student_id
        JOIN classes c ON c.id = st.class_id
        WHERE c.name = '7Б' AND sj.name = 'История' ORDER BY f.id LIMIT 1)
        RETURNING student_id"""))).scalar_one()
    name = await _one(session, "SELECT last_name || ' ' || first_name FROM students "
                               "WHERE id = :s", s=gone)
    postponed = await _all(session, """
        SELECT st.last_name || ' ' || st.first_name AS student, sj.name AS subject
        FROM final_marks f JOIN students st ON st.id = f.student_id
        JOIN subjects sj ON sj.id = f.subject_id WHERE f.postponed""")
    rows = _table((await _workbook(session, "finals")).worksheets[0])
    expected = {("7Б", name, "История", "1 четверть", "нет отметки")} | {
        ("7Б", p.student, p.subject, "1 четверть", "отсрочка") for p in postponed}
    assert set(rows) == expected and len(rows) == len(expected)


async def test_consents(session: AsyncSession) -> None:
    # A second guardian of Миша (5А) waits for consent; another 5А family refused.
    await session.execute(text("""
        INSERT INTO accounts (telegram_id, chat_id, locale, is_active)
        VALUES (5001, 5001, 'ru', true), (5002, 5002, 'ru', true)"""))
    misha = await _misha(session)
    other = await _one(session, "SELECT st.id FROM students st JOIN classes c "
                                "ON c.id = st.class_id WHERE c.name = '5А' AND st.id <> :m "
                                "ORDER BY st.id LIMIT 1", m=misha)
    await session.execute(text("""
        INSERT INTO account_links (account_id, kind, school_id, student_id, consent_pending)
        SELECT id, 'guardian', 1, :s, true FROM accounts WHERE telegram_id = 5001"""),
        {"s": misha})
    await session.execute(text("""
        INSERT INTO consents (account_id, student_id, decision, text_version)
        SELECT id, :s, 'refused', 1 FROM accounts WHERE telegram_id = 5002"""), {"s": other})
    await session.execute(text(
        "UPDATE guardians SET prefers_paper = true WHERE id IN (SELECT guardian_id "
        "FROM guardian_students WHERE student_id = :s)"), {"s": other})
    links = await _all(session, """
        SELECT c.name AS klass, al.student_id, al.consent_pending FROM account_links al
        JOIN students st ON st.id = al.student_id JOIN classes c ON c.id = st.class_id
        WHERE al.kind = 'guardian' AND al.revoked_at IS NULL""")
    students = await _all(session, """
        SELECT c.name AS klass, st.id,
               bool_or(g.prefers_paper) AS paper FROM students st
        JOIN classes c ON c.id = st.class_id
        LEFT JOIN guardian_students gs ON gs.student_id = st.id
        LEFT JOIN guardians g ON g.id = gs.guardian_id
        WHERE c.school_id = 1 AND st.status = 'active' GROUP BY c.name, st.id""")
    rows = _table((await _workbook(session, "consents")).worksheets[0])
    assert [r[0] for r in rows] == ["1А", "5А", "7Б", "10А"]
    for r in rows:
        mine = [x for x in links if x.klass == r[0]]
        online = {x.student_id for x in mine if not x.consent_pending}
        kids = [s for s in students if s.klass == r[0]]
        paper = sum(bool(s.paper) or s.id not in online for s in kids)
        assert r[1:] == (len(kids), len(online), sum(not x.consent_pending for x in mine),
                         1 if r[0] == "5А" else 0, sum(x.consent_pending for x in mine),
                         paper), r
    assert rows[1][5] == 1 and rows[1][4] == 1


async def test_monthly_activity(session: AsyncSession) -> None:
    # The guardian was seen this month, the student last month; two pushes delivered.
    await session.execute(text(
        "UPDATE accounts SET last_seen_at = CASE telegram_id WHEN 1001 THEN "
        "timestamptz '2026-11-20 10:00+03' ELSE timestamptz '2026-10-30 10:00+03' END"))
    await session.execute(text("""
        INSERT INTO notifications (account_id, chat_id, student_id, kind, payload, dedupe_key,
                                   status, attempts, sent_at)
        SELECT a.id, a.telegram_id, :misha, 'marks', '{}', 'k' || n, 'sent', 1,
               timestamptz '2026-11-21 12:00+03'
        FROM accounts a, generate_series(1, 2) n WHERE a.telegram_id = 1001"""),
        {"misha": await _misha(session)})
    rows = _table((await _workbook(session, "activity")).worksheets[0])
    seen = await _all(session, """
        SELECT c.name AS klass, al.kind, a.last_seen_at >= timestamptz '2026-11-01 00:00+03'
               AS active FROM account_links al JOIN accounts a ON a.id = al.account_id
        JOIN students st ON st.id = al.student_id JOIN classes c ON c.id = st.class_id
        WHERE al.revoked_at IS NULL AND NOT al.consent_pending""")
    for r in rows:
        mine = [s for s in seen if s.klass == r[0]]
        assert r[1:5] == (sum(s.kind == "guardian" for s in mine),
                          sum(s.kind == "guardian" and s.active for s in mine),
                          sum(s.kind == "student" for s in mine),
                          sum(s.kind == "student" and s.active for s in mine)), r
    assert [r[5] for r in rows] == [0, 2, 0, 0]


async def test_term_sheet(session: AsyncSession) -> None:
    marks = await _all(session, """
        SELECT st.last_name || ' ' || st.first_name || ' ' || coalesce(st.middle_name, '')
               AS student, sj.name AS subject, f.value, f.postponed
        FROM final_marks f JOIN students st ON st.id = f.student_id
        JOIN classes c ON c.id = st.class_id JOIN subjects sj ON sj.id = f.subject_id
        WHERE c.name = '7Б' AND f.kind = 'period'""")
    book = await _workbook(session, "term-sheet", "7Б")
    ws = book.worksheets[0]
    header = [c.value for c in ws[4]]
    assert header[:2] == ["№", "Ученик"] and len(book.worksheets) == 1  # no year marks yet
    grid = {(r[1].strip(), header[i]): v for r in _table(ws)
            for i, v in enumerate(r) if i >= 2 and v is not None}
    assert grid == {(m.student.strip(), m.subject): "отсрочка" if m.postponed else m.value
                    for m in marks}
    assert [r[0] for r in _table(ws)] == list(range(1, 25))


async def test_english_labels(session: AsyncSession) -> None:
    book = await _workbook(session, "progress", locale="en")
    assert [c.value for c in book.worksheets[0][4]] == [
        "Class", "Period", "Students in class", "Graded", "Progress rate", "Quality rate",
        "Average mark"]


async def test_missing_period_marks_on_the_day_before_the_period_ends(
        session: AsyncSession) -> None:
    """On 24 December, the day before the second quarter ends, its marks are due: the
    sheet lists them next to the first quarter's (all set)."""
    from services.reports.completion import completion_report

    scope = await make_scope(session, 1, class_id=await _one(
        session, "SELECT id FROM classes WHERE name = '5А'"), today=dt.date(2026, 12, 24))
    missing = (await completion_report(session, scope)).sheets[3].rows
    enrol = await _all(session, """
        SELECT sj.name AS subject, count(*) AS n FROM teaching_assignments ta
        JOIN classes c ON c.id = ta.class_id JOIN subjects sj ON sj.id = ta.subject_id
        JOIN students st ON st.class_id = c.id AND st.status = 'active'
        WHERE c.name = '5А' AND (ta.subgroup_id IS NULL OR st.id IN (
            SELECT student_id FROM subgroup_members WHERE subgroup_id = ta.subgroup_id))
        GROUP BY sj.name""")
    second = [r for r in missing if r[3] == "2 четверть"]
    assert {r[4] for r in second} == {dt.date(2026, 12, 24)}
    totals: dict[str, int] = defaultdict(int)
    for r in second:
        assert r[5] == r[6]  # nothing set yet
        totals[r[1]] += r[6]
    assert dict(totals) == {e.subject: e.n for e in enrol}
    assert all(r[6] == 0 for r in missing if r[3] == "1 четверть")
    early = await make_scope(session, 1, class_id=scope.class_id, today=dt.date(2026, 12, 22))
    assert {r[3] for r in (await completion_report(session, early)).sheets[3].rows} == {
        "1 четверть"}
