"""The demo seed: fills every core table once, is idempotent and deterministic, and its
data is consistent (no first-grade marks, this week's timetable changes, quarter marks
that match the weighted averages, ready demo accounts).

These tests make their own databases on the test server, to seed them from scratch."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.db import make_engine, make_sessionmaker
from services.demo_seed import DEMO_ACCOUNTS, SeedResult, demo_counts, seed_demo
from services.demo_seed import data as demo_data
from services.migrate import upgrade
from tests.conftest import PgServer

TODAY = dt.date(2026, 11, 23)  # a Monday in the second quarter
CORE_TABLES = (
    "schools", "academic_years", "periods", "bell_slots", "staff", "staff_roles", "classes",
    "subjects", "curriculum", "subgroups", "teaching_assignments", "students",
    "student_class_history", "subgroup_members", "guardians", "guardian_students",
    "lessons", "homework", "work_types", "marks", "mark_changes", "final_marks",
    "attendance", "accounts", "account_links", "consents",
)


@pytest.fixture(scope="module")
def seed_server(pg_server: PgServer) -> str:
    """URL of a maintenance database on the test server, where these tests make their own."""
    return pg_server.url


@asynccontextmanager
async def fresh_database(server_url: str) -> AsyncIterator[AsyncEngine]:
    """A new, migrated database `seedtest_<random>`, dropped on exit."""
    name = f"seedtest_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine = make_engine(
            make_url(server_url).set(database=name).render_as_string(hide_password=False))
        try:
            await upgrade(engine)
            yield engine
        finally:
            await engine.dispose()
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


@dataclass
class Seeded:
    sessionmaker: async_sessionmaker[AsyncSession]
    result: SeedResult

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        async with self.sessionmaker() as s:
            return list(await s.execute(text(sql), params))

    async def value(self, sql: str, **params: Any) -> Any:
        async with self.sessionmaker() as s:
            return await s.scalar(text(sql), params)


async def _seed(sessionmaker: async_sessionmaker[AsyncSession]) -> SeedResult:
    async with sessionmaker.begin() as session:
        return await seed_demo(session, today=TODAY)


@pytest.fixture(scope="module")
async def seeded(seed_server: str) -> AsyncIterator[Seeded]:
    """One database seeded once for the whole module (the tests only read it, except the
    idempotency test, whose second seed must not change anything)."""
    async with fresh_database(seed_server) as engine:
        sessionmaker = make_sessionmaker(engine)
        yield Seeded(sessionmaker, await _seed(sessionmaker))


# --- static tables ----------------------------------------------------------------------


def test_timetable_matches_curriculum_hours() -> None:
    for spec in demo_data.CLASSES:
        week = Counter(s for day in demo_data.TIMETABLE[spec.name] for s in day)
        assert len(demo_data.TIMETABLE[spec.name]) == 5
        assert week == {subject: hours for subject, hours, _ in spec.curriculum}, spec.name


# --- creation and idempotency -----------------------------------------------------------


async def test_first_seed_fills_every_core_table(seeded: Seeded) -> None:
    assert seeded.result.created
    async with seeded.sessionmaker() as s:
        counts = await demo_counts(s)
    for table in CORE_TABLES:
        assert counts[table] > 0, table
        assert seeded.result.counts[table] == counts[table], table
    assert counts["schools"] == 2
    assert counts["lessons"] > 1500 and counts["marks"] > 3000


async def test_second_seed_adds_nothing(seeded: Seeded) -> None:
    async with seeded.sessionmaker() as s:
        before = await demo_counts(s)
    again = await _seed(seeded.sessionmaker)
    async with seeded.sessionmaker() as s:
        after = await demo_counts(s)
    assert not again.created
    assert again.counts == {}
    assert after == before


async def test_same_today_gives_the_same_data(seeded: Seeded, seed_server: str) -> None:
    marks_sql = "SELECT external_id, value, passed FROM marks ORDER BY school_id, external_id"
    lessons_sql = ("SELECT external_id, status, topic, planned_work_type_id IS NOT NULL"
                   " FROM lessons ORDER BY school_id, external_id")
    async with fresh_database(seed_server) as engine:
        other = Seeded(make_sessionmaker(engine), SeedResult(created=False))
        other.result = await _seed(other.sessionmaker)
        assert other.result.counts == seeded.result.counts
        assert await other.rows(marks_sql) == await seeded.rows(marks_sql)
        assert await other.rows(lessons_sql) == await seeded.rows(lessons_sql)


# --- consistency ------------------------------------------------------------------------


async def test_no_marks_for_first_graders_but_attendance(seeded: Seeded) -> None:
    grade_of = """JOIN students s ON s.id = x.student_id JOIN classes c ON c.id = s.class_id
                  WHERE c.grade = 1"""
    assert await seeded.value(f"SELECT count(*) FROM marks x {grade_of}") == 0
    assert await seeded.value(f"SELECT count(*) FROM final_marks x {grade_of}") == 0
    assert await seeded.value(f"SELECT count(*) FROM attendance x {grade_of}") > 0


async def test_rows_never_cross_schools(seeded: Seeded) -> None:
    crossing = """
        SELECT count(*) FROM lessons l
        JOIN classes c ON c.id = l.class_id JOIN staff t ON t.id = l.teacher_id
        JOIN subjects su ON su.id = l.subject_id
        WHERE c.school_id <> l.school_id OR t.school_id <> l.school_id
           OR su.school_id <> l.school_id"""
    assert await seeded.value(crossing) == 0
    marks = """SELECT count(*) FROM marks m JOIN students s ON s.id = m.student_id
               JOIN lessons l ON l.id = m.lesson_id
               WHERE s.school_id <> m.school_id OR l.school_id <> m.school_id"""
    assert await seeded.value(marks) == 0
    lyceum = await seeded.rows("""
        SELECT c.name, count(DISTINCT st.id), count(DISTINCT g.guardian_id),
               count(DISTINCT l.id), count(DISTINCT m.id)
        FROM schools sc JOIN classes c ON c.school_id = sc.id
        JOIN students st ON st.class_id = c.id
        JOIN guardian_students g ON g.student_id = st.id
        JOIN lessons l ON l.class_id = c.id LEFT JOIN marks m ON m.lesson_id = l.id
        WHERE sc.external_id = 'demo-lyceum' GROUP BY c.name""")
    assert len(lyceum) == 1
    name, students, guardians, lessons, marks_count = lyceum[0]
    assert (name, students, guardians) == ("5Л", 5, 5)
    assert lessons > 0 and marks_count > 0


async def test_no_teacher_is_in_two_places_at_once(seeded: Seeded) -> None:
    clashes = """SELECT count(*) FROM (
        SELECT coalesce(substitute_id, teacher_id), date, slot FROM lessons
        WHERE status <> 'cancelled' GROUP BY 1, 2, 3 HAVING count(*) > 1) x"""
    assert await seeded.value(clashes) == 0


async def test_this_week_has_a_replaced_a_cancelled_and_a_moved_lesson(seeded: Seeded) -> None:
    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    sunday = monday + dt.timedelta(days=6)
    rows = await seeded.rows("""
        SELECT status, class_id, teacher_id, substitute_id, date, moved_to_date, moved_to_slot
        FROM lessons WHERE date BETWEEN :monday AND :sunday
          AND status IN ('replaced', 'cancelled', 'moved')""", monday=monday, sunday=sunday)
    assert Counter(r.status for r in rows) == {"replaced": 1, "cancelled": 1, "moved": 1}
    replaced = next(r for r in rows if r.status == "replaced")
    assert replaced.substitute_id not in (None, replaced.teacher_id)
    moved = next(r for r in rows if r.status == "moved")
    assert moved.date < moved.moved_to_date <= sunday
    occupied = await seeded.value(
        """SELECT count(*) FROM lessons WHERE date = :d AND slot = :s
           AND (class_id = :c OR teacher_id = :t OR substitute_id = :t)""",
        d=moved.moved_to_date, s=moved.moved_to_slot, c=moved.class_id, t=moved.teacher_id)
    assert occupied == 0


async def test_tests_are_planned_for_the_next_two_weeks(seeded: Seeded) -> None:
    soon = await seeded.value("""
        SELECT count(DISTINCT (l.class_id, l.subject_id)) FROM lessons l
        JOIN work_types w ON w.id = l.planned_work_type_id
        WHERE w.code = 'test' AND l.date > :today AND l.date <= :today + 14""", today=TODAY)
    assert soon >= 3


async def test_homework_is_due_at_the_next_lesson(seeded: Seeded) -> None:
    wrong = await seeded.value("""
        SELECT count(*) FROM homework h JOIN lessons l ON l.id = h.lesson_id
        WHERE h.due_on <> (
            SELECT min(n.date) FROM lessons n
            WHERE n.class_id = l.class_id AND n.subject_id = l.subject_id
              AND n.subgroup_id IS NOT DISTINCT FROM l.subgroup_id AND n.date > l.date
              AND n.status NOT IN ('cancelled', 'moved'))""")
    assert wrong == 0
    individual = await seeded.rows("""
        SELECT h.student_id, c.name FROM homework h JOIN classes c ON c.id = h.class_id
        WHERE h.student_id IS NOT NULL""")
    assert len(individual) == 2 and len({r.student_id for r in individual}) == 1
    assert individual[0].name == "5А"


async def test_some_guardians_have_children_in_two_classes(seeded: Seeded) -> None:
    families = await seeded.rows("""
        SELECT gs.guardian_id FROM guardian_students gs JOIN students s ON s.id = gs.student_id
        GROUP BY gs.guardian_id HAVING count(DISTINCT s.class_id) >= 2""")
    assert len(families) >= 3


async def test_demo_accounts_and_their_links(seeded: Seeded) -> None:
    accounts = {r.telegram_id: r for r in await seeded.rows(
        "SELECT id, telegram_id, chat_id, locale, active_student_id FROM accounts")}
    links = await seeded.rows("""
        SELECT a.telegram_id, l.kind, l.student_id, l.guardian_id, l.staff_id,
               l.consent_pending, c.name AS class_name
        FROM account_links l JOIN accounts a ON a.id = l.account_id
        LEFT JOIN students s ON s.id = l.student_id LEFT JOIN classes c ON c.id = s.class_id
        WHERE l.revoked_at IS NULL""")
    for demo in DEMO_ACCOUNTS:
        account = accounts[demo.telegram_id]
        assert (account.chat_id, account.locale) == (demo.telegram_id, "ru")
        own = [link for link in links if link.telegram_id == demo.telegram_id]
        assert own and {link.kind for link in own} == {demo.kind}, demo.label

    parent = [link for link in links if link.telegram_id == 1001]
    assert sorted(link.class_name for link in parent) == ["1А", "5А"]
    assert len({link.guardian_id for link in parent}) == 1 and parent[0].guardian_id
    assert not any(link.consent_pending for link in parent)
    consents = await seeded.value("""SELECT count(*) FROM consents c
        JOIN accounts a ON a.id = c.account_id
        WHERE a.telegram_id = 1001 AND c.decision = 'given' AND c.text_version = 1""")
    assert consents == 2
    five_a_child = next(link.student_id for link in parent if link.class_name == "5А")
    assert accounts[1001].active_student_id == five_a_child
    [student] = [link for link in links if link.telegram_id == 1002]
    assert student.class_name == "5А"

    staff = {link.telegram_id: link.staff_id for link in links if link.kind == "staff"}
    assert await seeded.value(
        "SELECT class_teacher_id FROM classes WHERE name = '5А' AND school_id = "
        "(SELECT id FROM schools WHERE external_id = 'demo-school')") == staff[2001]
    taught = await seeded.rows("""SELECT c.name, su.name AS subject FROM teaching_assignments t
        JOIN classes c ON c.id = t.class_id JOIN subjects su ON su.id = t.subject_id
        WHERE t.staff_id = :id""", id=staff[2002])
    assert ("5А", "Математика") in {(r.name, r.subject) for r in taught}
    assert "7Б" in {r.name for r in taught}
    roles = {r.staff_id: r.roles for r in await seeded.rows(
        "SELECT staff_id, array_agg(role::text) AS roles FROM staff_roles GROUP BY staff_id")}
    assert "admin" in roles[staff[2003]]
    assert "inspector" in roles[staff[2004]]


async def test_quarter_marks_are_rounded_weighted_averages(seeded: Seeded) -> None:
    finals = await seeded.rows("""
        SELECT f.student_id, f.subject_id, f.value, f.postponed, p.starts_on, p.ends_on
        FROM final_marks f JOIN periods p ON p.id = f.period_id
        WHERE p.kind = 'quarter' AND p.number = 1""")
    students = await seeded.value("""SELECT count(*) FROM students s
        JOIN classes c ON c.id = s.class_id
        JOIN schools sc ON sc.id = s.school_id AND sc.external_id = 'demo-school'
        WHERE c.grade IN (5, 7)""")
    assert len({f.student_id for f in finals}) == students
    assert sum(f.postponed for f in finals) == 1
    postponed = next(f for f in finals if f.postponed)
    assert postponed.value is None

    # A sample student: every subject's quarter mark is their weighted average, half up.
    sample = min(f.student_id for f in finals if not f.postponed)
    marks = await seeded.rows("""
        SELECT subject_id, value, weight FROM marks WHERE student_id = :id
          AND value IS NOT NULL AND deleted_at IS NULL AND date BETWEEN :start AND :end""",
        id=sample, start=finals[0].starts_on, end=finals[0].ends_on)
    checked = 0
    for final in (f for f in finals if f.student_id == sample):
        own = [m for m in marks if m.subject_id == final.subject_id]
        average = Fraction(sum(m.value * m.weight for m in own), sum(m.weight for m in own))
        assert final.value == int(average + Fraction(1, 2)), final.subject_id
        checked += 1
    assert checked >= 10
