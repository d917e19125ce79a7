"""Attendance through the real Dispatcher: counts by reason with Russian plurals and the
missed lessons, for the current period and week by week, checked against the rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.attendance import AtCb
from screens.i18n import translator
from services import attendance
from services.access import student_access
from services.models import AttendanceKind
from tests.conftest import DEMO_TODAY, BotEnv
from tests.test_timetable_views import (
    GUARDIAN,
    MATH_TEACHER,
    NOT_AVAILABLE,
    STUDENT,
    counting_statements,
    denials,
    english,
    granted,
    other_student,
    rows,
    viewed_student,
)

ru, en = translator("ru"), translator("en")
KINDS = ("absent", "ill", "excused", "late")
REASONS = {"absent": "без уважительной причины", "ill": "болезнь",
           "excused": "уважительная причина", "late": "опоздание"}


async def current_quarter(env: BotEnv, student: int) -> Any:
    return (await rows(
        env, "SELECT p.name, p.starts_on, p.ends_on FROM periods p JOIN students st "
        "ON st.school_id = p.school_id JOIN classes c ON c.id = st.class_id "
        "WHERE st.id = :s AND p.kind = 'quarter' AND p.starts_on <= :d AND p.ends_on >= :d "
        "AND c.grade BETWEEN p.grade_min AND p.grade_max", s=student, d=DEMO_TODAY))[0]


async def recorded(env: BotEnv, student: int, start: dt.date, end: dt.date) -> list[Any]:
    return await rows(
        env, "SELECT a.date, l.slot, sub.name AS subject, a.kind, a.minutes_late "
        "FROM attendance a JOIN lessons l ON l.id = a.lesson_id "
        "JOIN subjects sub ON sub.id = l.subject_id WHERE a.student_id = :s "
        "AND a.date BETWEEN :a AND :b ORDER BY a.date, l.slot", s=student, a=start, b=end)


def expected_lines(items: list[Any]) -> list[str]:
    out = []
    for r in items:
        reason = (f"опоздание на {r.minutes_late} мин." if r.kind == "late" and r.minutes_late
                  else REASONS[r.kind])
        out.append(f"{ru.date(r.date, weekday=True)}, {r.slot} урок, {r.subject} — {reason}")
    return out


def assert_counts(body: str, items: list[Any]) -> None:
    if not items:  # nothing missed: one line says so, no rows of zeros
        assert "Пропусков нет." in body and "По болезни" not in body
        return
    for kind in KINDS:
        n = sum(1 for r in items if r.kind == kind)
        assert ru(f"attendance-count-{kind}", count=n) in body, (kind, n)
    for line in expected_lines(items):
        assert line in body, line
    assert body.count(" урок, ") == len(items)


@pytest.mark.parametrize("user", [GUARDIAN, STUDENT])
async def test_period_counts_match_the_rows(bot_env: BotEnv, user: int) -> None:
    student = await viewed_student(bot_env, user)
    quarter = await current_quarter(bot_env, student)
    items = await recorded(bot_env, student, quarter.starts_on, quarter.ends_on)
    client = bot_env.client(user)
    await client.send("/menu")
    await client.press("Посещаемость")
    body = client.last_text or ""
    assert f"Посещаемость: {quarter.name}" in body
    assert f"{ru.date(quarter.starts_on)} — {ru.date(quarter.ends_on)}" in body
    assert_counts(body, items)


async def test_week_counts_with_russian_plurals(bot_env: BotEnv) -> None:
    """Two lessons ill on Monday, five absent on Tuesday, one late: "2 урока", "5 уроков",
    "1 урок"."""
    student = await viewed_student(bot_env, GUARDIAN)
    async with bot_env.db.sessionmaker.begin() as s:
        lessons = (await s.execute(text(
            "SELECT l.id, l.date, l.school_id FROM lessons l JOIN students st ON st.id = :s "
            "AND st.class_id = l.class_id WHERE l.date IN (:mon, :tue) "
            "AND l.subgroup_id IS NULL AND NOT EXISTS (SELECT 1 FROM attendance a "
            "WHERE a.lesson_id = l.id AND a.student_id = :s) ORDER BY l.date, l.slot"),
            {"s": student, "mon": DEMO_TODAY, "tue": DEMO_TODAY + dt.timedelta(days=1)})).all()
        monday = [r for r in lessons if r.date == DEMO_TODAY]
        tuesday = [r for r in lessons if r.date != DEMO_TODAY]
        plan = ([(r, "ill", None) for r in monday[:2]] + [(r, "late", 10) for r in monday[2:3]]
                + [(r, "absent", None) for r in tuesday[:5]])
        for lesson, kind, late in plan:
            await s.execute(text(
                "INSERT INTO attendance (school_id, student_id, lesson_id, date, kind, "
                "minutes_late) VALUES (:sc, :s, :l, :d, :k, :m)"),
                {"sc": lesson.school_id, "s": student, "l": lesson.id, "d": lesson.date,
                 "k": kind, "m": late})
    monday_of_week = DEMO_TODAY - dt.timedelta(days=DEMO_TODAY.weekday())
    items = await recorded(bot_env, student, monday_of_week,
                           monday_of_week + dt.timedelta(days=6))
    client = bot_env.client(GUARDIAN)
    await client.send("/attendance")
    await client.press("🗓 За неделю")
    body = client.last_text or ""
    assert "Посещаемость за неделю" in body and "23 ноября — 29 ноября" in body
    assert "🤒 По болезни: 2 урока" in body
    assert "❗ Без уважительной причины: 5 уроков" in body
    assert "⏰ Опоздания: 1 урок" in body
    assert "опоздание на 10 мин." in body
    assert_counts(body, items)


async def test_weeks_navigate_in_place_and_match_the_rows(bot_env: BotEnv) -> None:
    student = await viewed_student(bot_env, STUDENT)
    client = bot_env.client(STUDENT)
    await client.send("/attendance")
    message_id = client.last_message.message_id
    await client.press("🗓 За неделю")
    assert "След. неделя ▶️" not in [b for b, _ in client.buttons()]  # no future weeks
    start = DEMO_TODAY - dt.timedelta(days=7)
    for _ in range(3):
        await client.press("◀️ Пред. неделя")
        assert client.last_message.message_id == message_id
        body = client.last_text or ""
        assert f"{ru.date(start)} — {ru.date(start + dt.timedelta(days=6))}" in body
        assert_counts(body, await recorded(bot_env, student, start,
                                           start + dt.timedelta(days=6)))
        start -= dt.timedelta(days=7)
    await client.press("📊 За период")
    assert "Посещаемость: 2 четверть" in (client.last_text or "")
    await client.press("◀️ Пред. период")
    quarter1 = (await rows(bot_env, "SELECT name, starts_on, ends_on FROM periods p "
                           "JOIN students st ON st.school_id = p.school_id WHERE st.id = :s "
                           "AND p.kind = 'quarter' AND p.number = 1", s=student))[0]
    body = client.last_text or ""
    assert f"Посещаемость: {quarter1.name}" in body
    assert_counts(body, await recorded(bot_env, student, quarter1.starts_on,
                                       quarter1.ends_on))
    assert "След. период ▶️" in [b for b, _ in client.buttons()]


async def test_english_attendance(bot_env: BotEnv) -> None:
    student = await viewed_student(bot_env, GUARDIAN)
    quarter = await current_quarter(bot_env, student)
    items = await recorded(bot_env, student, quarter.starts_on, quarter.ends_on)
    client = await english(bot_env, GUARDIAN)
    await client.send("/attendance")
    body = client.last_text or ""
    assert f"{en.date(quarter.starts_on)} — {en.date(quarter.ends_on)}" in body
    for kind in KINDS:
        n = sum(1 for r in items if r.kind == kind)
        assert en(f"attendance-count-{kind}", count=n) in body
    assert "уроков" not in body and "урок" not in body.replace("Урок", "")
    await client.press("🗓 By week")
    assert "Attendance for the week" in (client.last_text or "")
    assert "23 November — 29 November" in (client.last_text or "")


async def test_forged_attendance_callbacks_are_refused(bot_env: BotEnv) -> None:
    misha = await viewed_student(bot_env, GUARDIAN)
    classmate = await other_student(bot_env, "demo-school", "5А", misha)
    client = bot_env.client(GUARDIAN)
    await client.send("/attendance")
    for data in (AtCb(v="p", s=classmate), AtCb(v="w", s=classmate, d=20261116)):
        before = await denials(bot_env)
        replies = await client.click(data.pack())
        assert replies[-1].alert == NOT_AVAILABLE
        assert await denials(bot_env) == before + 1


async def test_subject_teacher_sees_only_their_subject_and_statements_are_bounded(
        demo_db: Any) -> None:
    session: AsyncSession
    async with demo_db.sessionmaker() as session:
        student = (await session.execute(text(
            "SELECT st.id FROM students st JOIN attendance a ON a.student_id = st.id "
            "JOIN lessons l ON l.id = a.lesson_id JOIN subjects sub ON sub.id = l.subject_id "
            "JOIN classes c ON c.id = st.class_id WHERE c.name = '5А' "
            "AND sub.name = 'Математика' AND a.date >= '2026-11-05' "
            "GROUP BY st.id HAVING count(DISTINCT sub.id) >= 1 ORDER BY st.id LIMIT 1"
        ))).scalar_one()
        full = await attendance.period_attendance(session, await granted(session, student))
        teacher = (await session.execute(text(
            "SELECT id FROM accounts WHERE telegram_id = :t"), {"t": MATH_TEACHER})
        ).scalar_one()
        limited = await attendance.period_attendance(
            session, await student_access(session, teacher, student))
        assert {i.subject for i in limited.items} == {"Математика"}
        assert len(limited.items) == sum(1 for i in full.items if i.subject == "Математика")
        assert limited.count(AttendanceKind.ABSENT) <= full.count(AttendanceKind.ABSENT)
        access = await granted(session, student)
        with counting_statements(demo_db.engine) as seen:
            await attendance.period_attendance(session, access)
        assert len(seen) <= 3, seen
        with counting_statements(demo_db.engine) as seen:
            await attendance.week_attendance(session, access)
        assert len(seen) <= 2, seen


async def test_english_period_title_names_the_period_in_english(bot_env: BotEnv) -> None:
    """"Attendance: Quarter 2", not the school's Russian "2 четверть"."""
    client = await english(bot_env, GUARDIAN)
    await client.send("/attendance")
    body = client.last_text or ""
    assert "Attendance: Quarter 2" in body
    assert "четверть" not in body
