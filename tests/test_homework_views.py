"""Homework and lesson topics through the real Dispatcher, checked against the demo rows:
individual homework only for its student's family, subgroup homework only for members."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import text

from handlers.homework import HwCb
from screens.i18n import translator
from tests.conftest import DEMO_TODAY, BotEnv
from tests.test_timetable_views import (
    GUARDIAN,
    NOT_AVAILABLE,
    STUDENT,
    denials,
    english,
    other_student,
    rows,
    viewed_student,
)

TUESDAY = DEMO_TODAY + dt.timedelta(days=1)
ru = translator("ru")

VISIBLE = """
    FROM homework h JOIN students st ON st.id = :s
    JOIN subjects sub ON sub.id = h.subject_id
    LEFT JOIN subgroups sg ON sg.id = h.subgroup_id
    WHERE ((h.class_id = st.class_id AND h.student_id IS NULL
            AND (h.subgroup_id IS NULL OR h.subgroup_id IN
                 (SELECT subgroup_id FROM subgroup_members WHERE student_id = :s)))
           OR h.student_id = :s)
"""


async def link_guardian(env: BotEnv, telegram_id: int, student_id: int) -> None:
    """A second family: an account linked as guardian of `student_id`, consent given."""
    async with env.db.sessionmaker.begin() as s:
        account = (await s.execute(text(
            "INSERT INTO accounts (telegram_id, chat_id, locale, active_student_id, is_active) "
            "VALUES (:t, :t, 'ru', :s, true) RETURNING id"), {"t": telegram_id,
                                                            "s": student_id})).scalar_one()
        await s.execute(text(
            "INSERT INTO account_links (account_id, kind, school_id, student_id, "
            "consent_pending) SELECT :a, 'guardian', school_id, id, false FROM students "
            "WHERE id = :s"), {"a": account, "s": student_id})
        await s.execute(text(
            "INSERT INTO consents (account_id, student_id, decision, text_version) "
            "VALUES (:a, :s, 'given', 1)"), {"a": account, "s": student_id})


async def due_on(env: BotEnv, student: int, day: dt.date) -> list[Any]:
    return await rows(env, "SELECT h.text, sub.name AS subject, h.student_id, "
                      "sg.name AS subgroup " + VISIBLE + " AND h.due_on = :d ORDER BY h.id",
                      s=student, d=day)


async def open_homework(env: BotEnv, telegram_id: int) -> Any:
    client = env.client(telegram_id)
    await client.send("/menu")
    await client.press("Домашнее задание")
    return client


async def test_homework_due_tomorrow_equals_the_rows(bot_env: BotEnv) -> None:
    for user in (GUARDIAN, STUDENT):
        student = await viewed_student(bot_env, user)
        expected = await due_on(bot_env, student, TUESDAY)
        assert len(expected) >= 3
        client = await open_homework(bot_env, user)
        body = client.last_text or ""
        assert "Домашнее задание на Вт, 24 ноября" in body
        for r in expected:
            assert f"{r.subject}: {r.text}" in body, r
        assert body.count("задано ") == len(expected)
        individual = sum(1 for r in expected if r.student_id is not None)
        assert body.count("👤 индивидуальное задание") == individual
        assert "задано 23 ноября" in body


async def test_arrows_step_through_due_dates(bot_env: BotEnv) -> None:
    student = await viewed_student(bot_env, GUARDIAN)
    following = await bot_env.scalar("SELECT min(h.due_on) " + VISIBLE + " AND h.due_on > :d",
                                      s=student, d=TUESDAY)
    client = await open_homework(bot_env, GUARDIAN)
    message_id = client.last_message.message_id
    await client.press(f"{ru.date(following, weekday=True)} ▶️")
    assert client.last_message.message_id == message_id
    body = client.last_text or ""
    assert f"Домашнее задание на {ru.date(following, weekday=True)}" in body
    for r in await due_on(bot_env, student, following):
        assert f"{r.subject}: {r.text}" in body


async def test_individual_homework_is_only_for_that_students_family(bot_env: BotEnv) -> None:
    misha = await viewed_student(bot_env, GUARDIAN)
    artyom = await viewed_student(bot_env, STUDENT)
    individual = await rows(bot_env, "SELECT h.text, h.due_on, h.subject_id FROM homework h "
                            "WHERE h.student_id = :s ORDER BY h.due_on", s=misha)
    assert individual and individual[0].due_on == TUESDAY
    classmate = await other_student(bot_env, "demo-school", "5А", misha, artyom)
    await link_guardian(bot_env, 3001, classmate)

    own = await open_homework(bot_env, GUARDIAN)
    assert individual[0].text in (own.last_text or "")
    for user in (3001, STUDENT):
        client = await open_homework(bot_env, user)
        body = client.last_text or ""
        assert "Домашнее задание на Вт, 24 ноября" in body
        assert individual[0].text not in body
        assert "индивидуальное" not in body
        # nor in the subject's list
        await client.click(HwCb(v="j", s=await viewed_student(bot_env, user),
                                j=individual[0].subject_id).pack())
        assert individual[0].text not in (client.last_text or "")
        assert "Задано:" in (client.last_text or "")


async def test_subgroup_homework_only_for_members(bot_env: BotEnv) -> None:
    misha = await viewed_student(bot_env, GUARDIAN)
    group = await rows(
        bot_env, "SELECT h.subgroup_id, sg.name, h.text FROM homework h "
        "JOIN subgroups sg ON sg.id = h.subgroup_id JOIN subgroup_members m "
        "ON m.subgroup_id = h.subgroup_id AND m.student_id = :s WHERE h.due_on = :d",
        s=misha, d=TUESDAY)
    assert group, "Misha's English group has homework due on Tuesday"
    subgroup_id, name = group[0].subgroup_id, group[0].name
    outsider = await bot_env.scalar(
        "SELECT st.id FROM students st JOIN subgroups sg ON sg.class_id = st.class_id "
        "WHERE sg.id = :g AND NOT EXISTS (SELECT 1 FROM subgroup_members m "
        "WHERE m.subgroup_id = :g AND m.student_id = st.id) ORDER BY st.id LIMIT 1",
        g=subgroup_id)
    member = await bot_env.scalar(
        "SELECT student_id FROM subgroup_members WHERE subgroup_id = :g AND student_id <> :s "
        "ORDER BY student_id LIMIT 1", g=subgroup_id, s=misha)
    await link_guardian(bot_env, 3002, outsider)
    await link_guardian(bot_env, 3003, member)

    inside = await open_homework(bot_env, 3003)
    assert f"👥 {name}" in (inside.last_text or "")
    expected = await due_on(bot_env, member, TUESDAY)
    assert (inside.last_text or "").count("задано ") == len(expected)

    outside = await open_homework(bot_env, 3002)
    body = outside.last_text or ""
    assert f"👥 {name}" not in body
    expected = await due_on(bot_env, outsider, TUESDAY)
    assert all(r.subgroup != name for r in expected)
    assert body.count("задано ") == len(expected)


async def test_subject_homework_and_lesson_topics(bot_env: BotEnv) -> None:
    student = await viewed_student(bot_env, STUDENT)
    subject = await bot_env.scalar("SELECT s.id FROM subjects s JOIN students st "
                                   "ON st.school_id = s.school_id WHERE st.id = :s "
                                   "AND s.name = 'Математика'", s=student)
    upcoming = await rows(bot_env, "SELECT h.due_on, h.text " + VISIBLE
                          + " AND h.subject_id = :j AND h.due_on >= :d "
                          "ORDER BY h.due_on, h.id LIMIT 10", s=student, j=subject,
                          d=DEMO_TODAY)
    recent = await rows(bot_env, "SELECT h.due_on, h.text " + VISIBLE
                        + " AND h.subject_id = :j AND h.due_on < :d "
                        "ORDER BY h.due_on DESC, h.id DESC LIMIT 5", s=student, j=subject,
                        d=DEMO_TODAY)
    topics = await rows(
        bot_env, "SELECT l.date, l.slot, l.topic, l.material FROM lessons l "
        "JOIN students st ON st.id = :s AND st.class_id = l.class_id "
        "WHERE l.subject_id = :j AND l.date <= :d AND l.topic IS NOT NULL "
        "AND l.status NOT IN ('cancelled', 'moved') AND l.subgroup_id IS NULL "
        "ORDER BY l.date DESC, l.slot DESC LIMIT 10", s=student, j=subject, d=DEMO_TODAY)
    assert upcoming and recent and topics

    client = await open_homework(bot_env, STUDENT)
    await client.press("📖 По предметам")
    assert "Выберите предмет:" in (client.last_text or "")
    await client.press("Математика")
    body = client.last_text or ""
    before, _, after = body.partition("Недавние задания:")
    for r in upcoming:
        assert f"к {ru.date(r.due_on, weekday=True)}: {r.text}" in before
    for r in recent:
        assert f"к {ru.date(r.due_on, weekday=True)}: {r.text}" in after

    await client.press("📝 Темы уроков")
    body = client.last_text or ""
    assert "Темы уроков: Математика" in body
    for r in topics:
        assert f"{ru.date(r.date, weekday=True)}, {r.slot} урок: {r.topic}" in body
        if r.material:
            assert f"📎 {r.material}" in body
    assert body.count(" урок: ") == len(topics)
    await client.press("⬅️ К предметам")
    assert "Выберите предмет:" in (client.last_text or "")


async def test_english_homework(bot_env: BotEnv) -> None:
    client = await english(bot_env, GUARDIAN)
    await client.send("/homework")
    body = client.last_text or ""
    assert "Homework due Tue, 24 November" in body
    assert "set on 23 November" in body and "👤 individual task" in body
    await client.press("📖 By subject")
    assert "Choose a subject:" in (client.last_text or "")


async def test_forged_homework_callbacks_are_refused(bot_env: BotEnv) -> None:
    misha = await viewed_student(bot_env, GUARDIAN)
    classmate = await other_student(bot_env, "demo-school", "5А", misha)
    lyceum_subject = await bot_env.scalar(
        "SELECT s.id FROM subjects s JOIN schools sc ON sc.id = s.school_id "
        "WHERE sc.external_id = 'demo-lyceum' LIMIT 1")
    client = await open_homework(bot_env, GUARDIAN)
    for data in (HwCb(v="d", s=classmate), HwCb(v="j", s=classmate, j=lyceum_subject),
                 HwCb(v="j", s=misha, j=lyceum_subject),
                 HwCb(v="t", s=misha, j=lyceum_subject)):
        before = await denials(bot_env)
        replies = await client.click(data.pack())
        assert replies[-1].alert == NOT_AVAILABLE, data
        assert await denials(bot_env) == before + 1, data
