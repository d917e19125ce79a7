"""Timetable, tests (контрольные) and teachers views through the real Dispatcher, checked
against the demo school's rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiogram.types import Message
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from handlers.attendance import AtCb
from handlers.homework import HwCb
from handlers.menu import MenuCb
from handlers.timetable import ScheduledTestsCb, TtCb, pack_day, unpack_day
from screens.i18n import translator
from services import access, clock, teachers, timetable
from services.access import StudentAccess, student_access
from tests.conftest import DEMO_TODAY, BotEnv

GUARDIAN, STUDENT, MATH_TEACHER = 1001, 1002, 2002
MONDAY = DEMO_TODAY
TUESDAY = DEMO_TODAY + dt.timedelta(days=1)
SATURDAY = MONDAY + dt.timedelta(days=5)
NOT_AVAILABLE = "Это недоступно."
ru, en = translator("ru"), translator("en")

OWN_LESSONS = """
    FROM lessons l JOIN students st ON st.id = :s AND l.class_id = st.class_id
    JOIN subjects sub ON sub.id = l.subject_id
    WHERE (l.subgroup_id IS NULL OR l.subgroup_id IN
           (SELECT subgroup_id FROM subgroup_members WHERE student_id = :s))
"""


async def rows(env: BotEnv, sql: str, **params: Any) -> list[Any]:
    async with env.db.sessionmaker() as s:
        return list((await s.execute(text(sql), params)).all())


async def viewed_student(env: BotEnv, telegram_id: int) -> int:
    """The student a demo account's family views open on."""
    return await env.scalar(
        "SELECT coalesce(a.active_student_id, l.student_id) FROM accounts a "
        "JOIN account_links l ON l.account_id = a.id AND l.revoked_at IS NULL "
        "WHERE a.telegram_id = :t ORDER BY l.id LIMIT 1", t=telegram_id)


async def other_student(env: BotEnv, school: str, class_name: str, *exclude: int) -> int:
    return await env.scalar(
        "SELECT st.id FROM students st JOIN classes c ON c.id = st.class_id "
        "JOIN schools sc ON sc.id = st.school_id WHERE sc.external_id = :sc "
        "AND c.name = :c AND NOT (st.id = ANY(:ex)) ORDER BY st.id LIMIT 1",
        sc=school, c=class_name, ex=list(exclude))


async def denials(env: BotEnv) -> int:
    return await env.scalar("SELECT count(*) FROM audit_log WHERE action = 'access_denied'")


def initials(last: str, first: str, middle: str | None) -> str:
    return " ".join([last, f"{first[0]}."] + ([f"{middle[0]}."] if middle else []))


def entity_texts(message: Message, kind: str) -> list[str]:
    """The text under each entity of a kind (offsets count UTF-16 units)."""
    raw = (message.text or "").encode("utf-16-le")
    return [raw[2 * e.offset:2 * (e.offset + e.length)].decode("utf-16-le")
            for e in message.entities or () if e.type == kind]


@contextmanager
def counting_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)


async def granted(session: AsyncSession, student_id: int) -> StudentAccess:
    return StudentAccess(await access.child_ref(session, student_id), as_staff=False)


# --- the day ------------------------------------------------------------------------------


@pytest.mark.parametrize("user", [GUARDIAN, STUDENT])
async def test_today_lists_the_class_lessons_in_slot_order_with_bell_times(
        bot_env: BotEnv, user: int) -> None:
    student = await viewed_student(bot_env, user)
    expected = await rows(
        bot_env, "SELECT l.slot, sub.name, b.starts_at, b.ends_at " + OWN_LESSONS.replace(
            "WHERE", "JOIN bell_slots b ON b.school_id = l.school_id AND b.slot = l.slot WHERE")
        + " AND l.date = :d ORDER BY l.slot", s=student, d=DEMO_TODAY)
    assert len(expected) >= 4
    client = bot_env.client(user)
    await client.send("/menu")
    await client.press("Расписание")
    body = client.last_text or ""
    assert "Расписание на сегодня: Пн, 23 ноября" in body
    positions = []
    for slot, subject, start, end in expected:
        line = f"{slot}. {start:%H:%M}–{end:%H:%M} {subject}"
        assert line in body, line
        positions.append(body.index(line))
    assert positions == sorted(positions)
    numbered = [ln for ln in body.splitlines() if ln[:1].isdigit()]
    assert len(numbered) == len(expected)  # nothing of other classes or subgroups


async def test_day_shows_room_teacher_initials_and_replacement(bot_env: BotEnv) -> None:
    student = await viewed_student(bot_env, GUARDIAN)
    lessons = await rows(
        bot_env, "SELECT l.slot, l.room, l.status, t.last_name, t.first_name, "
        "t.middle_name, s.last_name AS s_last, s.first_name AS s_first, "
        "s.middle_name AS s_middle " + OWN_LESSONS.replace(
            "WHERE", "JOIN staff t ON t.id = l.teacher_id "
            "LEFT JOIN staff s ON s.id = l.substitute_id WHERE")
        + " AND l.date = :d ORDER BY l.slot", s=student, d=DEMO_TODAY)
    client = bot_env.client(GUARDIAN)
    await client.send("/timetable")
    body = client.last_text or ""
    for r in lessons:
        assert f"каб. {r.room} · {initials(r.last_name, r.first_name, r.middle_name)}" in body
    replaced = [r for r in lessons if r.status == "replaced"]
    assert replaced, "the demo replaces a lesson of 5А today"
    for r in replaced:
        assert f"🔁 замена: {initials(r.s_last, r.s_first, r.s_middle)}" in body


async def test_next_day_edits_the_same_message_and_shows_tuesday(bot_env: BotEnv) -> None:
    student = await viewed_student(bot_env, GUARDIAN)
    tuesday = await rows(bot_env, "SELECT l.slot, sub.name, l.status " + OWN_LESSONS
                         + " AND l.date = :d ORDER BY l.slot", s=student, d=TUESDAY)
    client = bot_env.client(GUARDIAN)
    await client.send("/menu")
    await client.press("Расписание")
    first = client.last_message
    assert first is not None
    replies = await client.press("Вт, 24 ноября ▶️")
    assert [r.method for r in replies if r.method != "answerCallbackQuery"] == \
        ["editMessageText"]
    after = client.last_message
    assert after is not None and after.message_id == first.message_id
    body = after.text or ""
    assert "Расписание: Вт, 24 ноября" in body
    for slot, subject, status in tuesday:
        assert f"{slot}. " in body and subject in body
        if status == "cancelled":
            assert subject in entity_texts(after, "strikethrough")
            assert "❌ отменён" in body
    # and back
    await client.press("◀️ Пн, 23 ноября")
    assert client.last_message is not None
    assert client.last_message.message_id == first.message_id
    assert "Расписание на сегодня: Пн, 23 ноября" in (client.last_text or "")


async def test_weekend_today_has_no_lessons_and_offers_the_next_school_day(
        bot_env: BotEnv) -> None:
    sunday = dt.datetime(2026, 11, 29, 11, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    with clock.frozen(sunday):
        client = bot_env.client(GUARDIAN)
        await client.send("/timetable")
        body = client.last_text or ""
        assert "Вс, 29 ноября" in body
        assert "Выходной — уроков нет." in body
        assert "Ближайший учебный день: Пн, 30 ноября." in body
        student = await viewed_student(bot_env, GUARDIAN)
        assert ("Пн, 30 ноября ▶️", TtCb(v="d", s=student, d=20261130).pack()) \
            in client.buttons()
        await client.press("Пн, 30 ноября ▶️")
        assert "Расписание: Пн, 30 ноября" in (client.last_text or "")
        assert "1. 08:30–09:15" in (client.last_text or "")


# --- the week -----------------------------------------------------------------------------


async def test_week_marks_replaced_cancelled_and_moved_lessons(bot_env: BotEnv) -> None:
    student = await viewed_student(bot_env, GUARDIAN)
    changed = await rows(
        bot_env, "SELECT l.status, l.date, l.slot, l.moved_to_date, l.moved_to_slot, "
        "sub.name AS subject, s.last_name, s.first_name, s.middle_name " + OWN_LESSONS.replace(
            "WHERE", "LEFT JOIN staff s ON s.id = l.substitute_id WHERE")
        + " AND l.date BETWEEN :a AND :b AND l.status IN ('replaced', 'cancelled', 'moved')",
        s=student, a=MONDAY, b=SATURDAY)
    assert {r.status for r in changed} == {"replaced", "cancelled", "moved"}
    client = bot_env.client(GUARDIAN)
    await client.send("/timetable")
    await client.press("Неделя")
    message = client.last_message
    assert message is not None
    lines = (message.text or "").splitlines()
    assert "Расписание на неделю: 23 ноября — 29 ноября" in lines[0]
    for r in changed:
        own_line = [ln for ln in lines if ln.startswith(f"{r.slot}. {r.subject}")]
        if r.status == "replaced":
            sub = initials(r.last_name, r.first_name, r.middle_name)
            assert any(f"🔁 замена: {sub}" in ln for ln in own_line), (r, lines)
        elif r.status == "cancelled":
            assert f"{r.slot}. {r.subject} ❌ отменён" in lines
            assert r.subject in entity_texts(message, "strikethrough")
        else:
            away = (f"➡️ перенесён на {ru.date(r.moved_to_date, weekday=True)}, "
                    f"{r.moved_to_slot} урок")
            back = f"↪️ перенесён сюда с {ru.date(r.date, weekday=True)}, {r.slot} урок"
            assert any(away in ln for ln in own_line), (away, lines)
            assert any(ln.startswith(f"{r.moved_to_slot}. {r.subject}") and back in ln
                       for ln in lines), (back, lines)
            # the moved lesson shows under its new date
            new_day = lines.index(ru.date(r.moved_to_date, weekday=True))
            assert any(back in ln for ln in lines[new_day:new_day + 9])


async def test_week_navigation_edits_in_place(bot_env: BotEnv) -> None:
    client = bot_env.client(STUDENT)
    await client.send("/timetable")
    await client.press("Неделя")
    message_id = client.last_message.message_id if client.last_message else None
    await client.press("След. неделя ▶️")
    assert client.last_message is not None and client.last_message.message_id == message_id
    assert "Расписание на неделю: 30 ноября" in (client.last_text or "")
    await client.press("◀️ Пред. неделя")
    await client.press("◀️ Пред. неделя")
    assert "Расписание на неделю: 16 ноября" in (client.last_text or "")
    await client.press("🏠 Меню")
    assert client.last_message is not None and client.last_message.message_id == message_id
    assert "Электронный дневник" in (client.last_text or "")


async def english(env: BotEnv, telegram_id: int) -> Any:
    """A demo account switched to English in its settings."""
    client = env.client(telegram_id, language_code="en")
    await client.send("/settings")
    await client.press("🇬🇧 English")
    return client


async def test_english_client_gets_english_texts_and_dates(bot_env: BotEnv) -> None:
    client = await english(bot_env, GUARDIAN)
    await client.send("/timetable")
    body = client.last_text or ""
    assert "Timetable for today: Mon, 23 November" in body
    assert "room " in body and "🔁 substitute: " in body
    assert "Расписание" not in body
    await client.press("🗓 Week")
    body = client.last_text or ""
    assert "Timetable for the week: 23 November — 29 November" in body
    assert "❌ cancelled" in body and "➡️ moved to " in body and "↪️ moved here from " in body
    assert "Tue, 24 November" in body


# --- access -------------------------------------------------------------------------------


async def test_forged_students_are_refused_and_audited(bot_env: BotEnv) -> None:
    mine = await viewed_student(bot_env, GUARDIAN)
    classmate = await other_student(bot_env, "demo-school", "5А", mine)
    lyceum = await other_student(bot_env, "demo-lyceum", "5Л")
    client = bot_env.client(GUARDIAN)
    await client.send("/timetable")
    forged = [TtCb(v="d", s=classmate), TtCb(v="w", s=lyceum, d=20261123),
              ScheduledTestsCb(s=lyceum), HwCb(v="d", s=classmate), AtCb(v="p", s=lyceum)]
    for data in forged:
        before = await denials(bot_env)
        replies = await client.click(data.pack())
        assert replies[-1].alert == NOT_AVAILABLE, data
        assert await denials(bot_env) == before + 1, data
    # an impossible date is refused too, and changes nothing
    replies = await client.click(TtCb(v="d", s=mine, d=20261399).pack())
    assert replies[-1].alert == NOT_AVAILABLE


def test_a_long_week_is_paginated_below_the_limit() -> None:
    from screens.timetable import week, week_pages
    from services.access import ChildRef
    from services.models import LessonStatus

    child = ChildRef(7, 1, "Миша", "Петров", 3, "5А", 5)
    lesson = dict(starts_at=None, ends_at=None, subject_id=1, room="208" * 5,
                  teacher="Григорьев П. С.", substitute="Захарова Л. А.",
                  status=LessonStatus.REPLACED)
    days = tuple(timetable.DayTimetable(7, MONDAY + dt.timedelta(days=i), MONDAY, tuple(
        timetable.LessonView(lesson_id=100 * i + n, date=MONDAY + dt.timedelta(days=i),
                             slot=n, subject="Очень длинное название предмета " * 3,
                             **lesson)  # type: ignore[arg-type]
        for n in range(1, 13))) for i in range(6))
    view = timetable.WeekTimetable(7, MONDAY, MONDAY, days)
    granted = StudentAccess(child, as_staff=False)
    pages = week_pages(ru, granted, view)
    assert len(pages) >= 2
    assert all(len(page) <= 4096 - 100 for page in pages)
    assert sum(page.count("🔁 замена") for page in pages) == 72  # no lesson lost
    buttons = [b.text for row in week(ru, granted, view).rows for b in row]
    assert "Стр. 2 ▶️" in buttons


def test_longest_callback_data_fits_64_bytes() -> None:
    big, day = 2**31 - 1, pack_day(dt.date(2099, 12, 31))
    longest = [
        TtCb(v="w", s=big, d=day, p=99), ScheduledTestsCb(s=big, p=99),
        HwCb(v="t", s=big, d=day, j=big, p=99), AtCb(v="p", s=big, d=day, p=99),
    ]
    for data in longest:
        assert len(data.pack().encode()) <= 64, data.pack()
    assert unpack_day(day) == dt.date(2099, 12, 31)
    assert unpack_day(20261131) is None and unpack_day(99991231) is None


# --- services: the school's own "today", bounded statements, subject filter ----------------


async def test_each_school_uses_its_own_today(session: AsyncSession) -> None:
    moscow = (await session.execute(text(
        "SELECT st.id FROM students st JOIN schools sc ON sc.id = st.school_id "
        "WHERE sc.external_id = 'demo-school' ORDER BY st.id LIMIT 1"))).scalar_one()
    yekaterinburg = (await session.execute(text(
        "SELECT st.id FROM students st JOIN schools sc ON sc.id = st.school_id "
        "WHERE sc.external_id = 'demo-lyceum' ORDER BY st.id LIMIT 1"))).scalar_one()
    # 19:30 UTC: 22:30 on the 23rd in Moscow, 00:30 on the 24th in Yekaterinburg.
    with clock.frozen(dt.datetime(2026, 11, 23, 19, 30, tzinfo=dt.UTC)):
        here = await timetable.day_timetable(session, await granted(session, moscow))
        there = await timetable.day_timetable(session, await granted(session, yekaterinburg))
    assert (here.today, here.day) == (DEMO_TODAY, DEMO_TODAY)
    assert (there.today, there.day) == (TUESDAY, TUESDAY)
    lyceum_tuesday = (await session.execute(text(
        "SELECT count(*) FROM lessons l JOIN students st ON st.class_id = l.class_id "
        "WHERE st.id = :s AND l.date = :d"), {"s": yekaterinburg, "d": TUESDAY})).scalar_one()
    assert len(there.lessons) == lyceum_tuesday > 0


async def test_views_run_a_bounded_number_of_statements(demo_db: Any) -> None:
    async with demo_db.sessionmaker() as session:
        student = (await session.execute(text(
            "SELECT active_student_id FROM accounts WHERE telegram_id = 1001"))).scalar_one()
        access = await granted(session, student)
        with counting_statements(demo_db.engine) as seen:
            week = await timetable.week_timetable(session, access)
        assert sum(len(d.lessons) for d in week.days) > 25
        assert len(seen) <= 3, seen
        with counting_statements(demo_db.engine) as seen:
            await timetable.day_timetable(session, access)
        assert len(seen) <= 4, seen
        with counting_statements(demo_db.engine) as seen:
            await timetable.test_schedule(session, access)
        assert len(seen) <= 3, seen
        with counting_statements(demo_db.engine) as seen:
            await teachers.class_teachers(session, access)
        assert len(seen) == 2, seen


async def test_a_subject_teacher_sees_only_their_subject(session: AsyncSession) -> None:
    student = (await session.execute(text(
        "SELECT active_student_id FROM accounts WHERE telegram_id = 1001"))).scalar_one()
    teacher_account = (await session.execute(text(
        "SELECT id FROM accounts WHERE telegram_id = :t"), {"t": MATH_TEACHER})).scalar_one()
    access = await student_access(session, teacher_account, student)
    assert access.subject_ids is not None
    week = await timetable.week_timetable(session, access)
    subjects = {v.subject for d in week.days for v in d.lessons}
    assert subjects == {"Математика"}


# --- tests (контрольные) and teachers ----------------------------------------------------


async def test_tests_view_lists_upcoming_and_past_tests(bot_env: BotEnv) -> None:
    student = await viewed_student(bot_env, GUARDIAN)
    period_start = await bot_env.scalar(
        "SELECT p.starts_on FROM periods p JOIN students st ON st.school_id = p.school_id "
        "WHERE st.id = :s AND p.kind = 'quarter' AND p.starts_on <= :d AND p.ends_on >= :d",
        s=student, d=DEMO_TODAY)
    tests = await rows(
        bot_env, "SELECT l.date, l.slot, sub.name " + OWN_LESSONS.replace(
            "WHERE", "JOIN work_types w ON w.id = l.planned_work_type_id AND w.is_test WHERE")
        + " AND l.date >= :p ORDER BY l.date, l.slot", s=student, p=period_start)
    upcoming = [r for r in tests if r.date >= DEMO_TODAY]
    past = [r for r in tests if r.date < DEMO_TODAY]
    assert upcoming and past
    client = bot_env.client(GUARDIAN)
    await client.send("/menu")
    await client.press("Контрольные")
    body = client.last_text or ""
    head, _, tail = body.partition("Уже прошли")
    for r in upcoming:
        assert f"{ru.date(r.date, weekday=True)}, {r.slot} урок — {r.name}" in head
    for r in past:
        assert f"{ru.date(r.date, weekday=True)}, {r.slot} урок — {r.name}" in tail
    lines = [ln for ln in body.splitlines() if " урок — " in ln]
    assert len(lines) == len(tests)


async def test_teachers_view_lists_class_teachers_and_own_subgroup_only(
        bot_env: BotEnv) -> None:
    student = await viewed_student(bot_env, GUARDIAN)
    head = (await rows(
        bot_env, "SELECT s.last_name || ' ' || s.first_name || ' ' || s.middle_name "
        "FROM classes c JOIN students st ON st.class_id = c.id "
        "JOIN staff s ON s.id = c.class_teacher_id WHERE st.id = :s", s=student))[0][0]
    assignments = await rows(
        bot_env, "SELECT sub.name, s.last_name || ' ' || s.first_name || ' ' || "
        "s.middle_name AS teacher, ta.subgroup_id, EXISTS (SELECT 1 FROM subgroup_members m "
        "WHERE m.subgroup_id = ta.subgroup_id AND m.student_id = :s) AS mine "
        "FROM teaching_assignments ta JOIN students st ON st.id = :s "
        "AND st.class_id = ta.class_id JOIN subjects sub ON sub.id = ta.subject_id "
        "JOIN staff s ON s.id = ta.staff_id", s=student)
    client = bot_env.client(GUARDIAN)
    await client.send("/menu")
    await client.press("Учителя")
    body = client.last_text or ""
    assert f"Классный руководитель: {head}" in body
    assert any(a.subgroup_id is not None and not a.mine for a in assignments)
    for a in assignments:
        if a.subgroup_id is None:
            assert f"{a.name} — {a.teacher}" in body
        else:
            assert (a.teacher in body) == a.mine, a


# --- review regressions -------------------------------------------------------------------


async def test_english_tests_view_names_the_period_in_english(bot_env: BotEnv) -> None:
    """The period of past tests is "Quarter 2", not the school's Russian "2 четверть"."""
    client = await english(bot_env, GUARDIAN)
    await client.click(MenuCb(area="tests").pack())
    body = client.last_text or ""
    assert "Already written (Quarter 2):" in body
    assert "четверть" not in body


async def test_a_forged_overlong_date_is_refused(bot_env: BotEnv) -> None:
    """A date too large for Python's date type is refused like any other forged date."""
    mine = await viewed_student(bot_env, GUARDIAN)
    assert unpack_day(2**63) is None and unpack_day(10**30) is None
    client = bot_env.client(GUARDIAN)
    await client.send("/timetable")
    replies = await client.click(f"tt:d:{mine}:{2**63}:0")
    assert replies[-1].alert == NOT_AVAILABLE


async def test_day_navigation_skips_days_without_lessons_the_viewer_may_see(
        session: AsyncSession) -> None:
    """A viewer limited to one subject (a subject teacher) gets ◀️ ▶️ to the nearest days
    with a lesson of that subject, not to days that would show nothing."""
    student = (await session.execute(text(
        "SELECT active_student_id FROM accounts WHERE telegram_id = 1001"))).scalar_one()
    # the class's subject taught on the fewest days around the demo Monday
    subject = (await session.execute(text(
        "SELECT l.subject_id FROM lessons l JOIN students st ON st.id = :s "
        "AND st.class_id = l.class_id WHERE l.subgroup_id IS NULL "
        "AND l.date BETWEEN CAST(:d AS date) - 14 AND CAST(:d AS date) + 14 GROUP BY l.subject_id "
        "ORDER BY count(DISTINCT l.date), l.subject_id LIMIT 1"),
        {"s": student, "d": MONDAY})).scalar_one()
    base = await granted(session, student)
    access = StudentAccess(base.child, as_staff=True, subject_ids=frozenset({subject}))
    expected = (await session.execute(text(
        "SELECT max(l.date) FILTER (WHERE l.date < :d), min(l.date) FILTER (WHERE l.date > :d) "
        "FROM lessons l JOIN students st ON st.id = :s AND st.class_id = l.class_id "
        "WHERE l.subject_id = :j "
        "AND l.date BETWEEN CAST(:d AS date) - 60 AND CAST(:d AS date) + 60"),
        {"s": student, "d": MONDAY, "j": subject})).one()
    view = await timetable.day_timetable(session, access, MONDAY)
    assert (view.previous_school_day, view.next_school_day) == tuple(expected)
    assert view.next_school_day is not None and view.next_school_day > TUESDAY
    following = await timetable.day_timetable(session, access, view.next_school_day)
    assert following.lessons and {v.subject_id for v in following.lessons} == {subject}
