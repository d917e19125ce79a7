"""A teacher's lessons today, tomorrow and through the week, an ended lesson read as held,
the school's day for admins and inspectors, and a first grade picked for marks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from handlers.staff import LessonsCb, StaffCb
from tests.conftest import DEMO_TODAY, BotEnv
from tests.test_marks_views import rows, to_english
from tests.test_staff_views import ADMIN, GUARDIAN, INSPECTOR, MATHS, class_id, open_menu, staff_id

NOW = dt.time(10, 0)  # the frozen clock, school time


async def my_lessons(env: BotEnv, me: int, day: dt.date) -> list[Any]:
    return await rows(
        env, "SELECT l.slot, l.status, c.name AS klass, s.name AS subject, b.ends_at "
        "FROM lessons l JOIN classes c ON c.id = l.class_id JOIN subjects s "
        "ON s.id = l.subject_id JOIN bell_slots b ON b.school_id = l.school_id "
        "AND b.slot = l.slot WHERE l.date = :d AND (l.teacher_id = :me OR "
        "l.substitute_id = :me) ORDER BY l.slot", d=day, me=me)


def line_of(text: str, slot: int, klass: str) -> str:
    return next(s for s in text.splitlines() if s.startswith(f"{slot}. ") and klass in s)


async def test_an_ended_lesson_reads_as_held(bot_env: BotEnv) -> None:
    me = await staff_id(bot_env, MATHS)
    lessons = [x for x in await my_lessons(bot_env, me, DEMO_TODAY) if x.status == "scheduled"]
    ended = [x for x in lessons if x.ends_at <= NOW]
    ahead = [x for x in lessons if x.ends_at > NOW]
    assert ended and ahead
    client = await open_menu(bot_env, MATHS)
    await client.press("Мои уроки сегодня")
    for x in ended:
        assert line_of(client.last_text, x.slot, x.klass).endswith("✅ проведён")
    for x in ahead:
        assert line_of(client.last_text, x.slot, x.klass).endswith("по расписанию")


async def test_my_lessons_move_between_today_tomorrow_and_the_week(bot_env: BotEnv) -> None:
    me = await staff_id(bot_env, MATHS)
    tomorrow = DEMO_TODAY + dt.timedelta(days=1)
    client = await open_menu(bot_env, MATHS)
    await client.press("Мои уроки сегодня")
    message_id = client.last_message.message_id
    await client.press("Завтра")
    assert client.last_message.message_id == message_id  # edited in place
    body = client.last_text
    assert body.startswith("🗓 Мои уроки: Вт, 24 ноября")
    expected = await my_lessons(bot_env, me, tomorrow)
    assert expected and "проведён" not in body
    for x in expected:
        assert f"{x.klass} · {x.subject}" in line_of(body, x.slot, x.klass)
    await client.press("🗓 Неделя")
    body = client.last_text
    assert body.startswith("🗓 Мои уроки на неделю: 23 ноября — 29 ноября")
    assert "Пн, 23 ноября 👈" in body and "Пт, 27 ноября" in body
    # Each lesson of the week once, and a lesson moved within it on its new day too.
    week = int(await bot_env.scalar(
        "SELECT count(*) + count(*) FILTER (WHERE status = 'moved' AND moved_to_date "
        "BETWEEN :a AND :b) FROM lessons WHERE date BETWEEN :a AND :b AND (teacher_id = :me "
        "OR substitute_id = :me)", a=DEMO_TODAY, b=DEMO_TODAY + dt.timedelta(days=6), me=me))
    assert sum(1 for line in body.splitlines() if line[:2].rstrip(".").isdigit()) == week
    moved = await rows(bot_env, "SELECT date, slot, moved_to_date FROM lessons WHERE status = "
                       "'moved' AND teacher_id = :me AND moved_to_date BETWEEN :a AND :b",
                       me=me, a=tomorrow, b=DEMO_TODAY + dt.timedelta(days=6))
    assert moved
    for x in moved:  # on its new day it says where it came from, not "moved to today"
        assert f"⬅️ перенесён сюда с {x.date:%-d} ноября, {x.slot} урок" in body
    assert "перенесён на сегодня" not in body
    await client.press("След. неделя ▶️")
    assert "30 ноября — 6 декабря" in client.last_text
    await client.press("Сегодня")
    assert client.last_text.startswith("🗓 Мои уроки: Пн, 23 ноября")

    english = await to_english(bot_env, MATHS)
    await english.click(LessonsCb(v="d", d=20261124).pack())
    assert english.last_text.startswith("🗓 My lessons: Tue, 24 November")
    await english.press("🗓 Week")
    assert english.last_text.startswith("🗓 My lessons for the week: 23 November — 29 November")


async def school_changes(env: BotEnv) -> list[Any]:
    return await rows(
        env, "SELECT l.slot, l.status, c.name AS klass FROM lessons l JOIN classes c "
        "ON c.id = l.class_id JOIN schools s ON s.id = l.school_id WHERE s.name = "
        "'Школа № 17' AND l.date = :d AND l.status IN ('replaced', 'moved', 'cancelled')",
        d=DEMO_TODAY)


async def test_admins_and_inspectors_get_the_schools_day(bot_env: BotEnv) -> None:
    classes = [r.name for r in await rows(
        bot_env, "SELECT c.name FROM classes c JOIN schools s ON s.id = c.school_id "
        "WHERE s.name = 'Школа № 17' ORDER BY c.grade, c.name")]
    changes = await school_changes(bot_env)
    assert changes
    for telegram_id in (ADMIN, INSPECTOR):
        client = await open_menu(bot_env, telegram_id)
        await client.press("Школа сегодня")
        body = client.last_text
        assert body.startswith("🏫 Школа № 17: Пн, 23 ноября")
        assert f"Классы ({len(classes)}): {', '.join(classes)}" in body
        assert "Замены, переносы и отмены:" in body
        for x in changes:
            line = line_of(body, x.slot, x.klass)
            word = {"replaced": "замена", "moved": "перенесён", "cancelled": "отменён"}
            assert word[x.status] in line, line
        assert "Сегодня уроков нет" not in body
        await client.press("Завтра")
        assert client.last_text.startswith("🏫 Школа № 17: Вт, 24 ноября")
        await client.press("Классы")
        assert "Выберите класс" in client.last_text
    english = await to_english(bot_env, INSPECTOR)
    await english.send("/menu")
    await english.press("School today")
    assert "Replacements, moves and cancellations:" in english.last_text


async def test_lessons_views_are_for_staff_and_the_school_for_school_wide(
        bot_env: BotEnv) -> None:
    guardian = await open_menu(bot_env, GUARDIAN)
    for packed in (LessonsCb(v="d").pack(), LessonsCb(v="s").pack()):
        replies = await guardian.click(packed)
        assert [r.alert for r in replies if r.alert] == ["Это недоступно."]
    teacher = await open_menu(bot_env, MATHS)
    replies = await teacher.click(LessonsCb(v="s").pack())
    assert [r.alert for r in replies if r.alert] == ["Это недоступно."]


async def test_a_first_grade_says_at_once_it_gets_no_marks(bot_env: BotEnv) -> None:
    first = await class_id(bot_env, "1А")
    client = await open_menu(bot_env, ADMIN)
    await client.click(StaffCb(v="c", c=first).pack())
    assert client.last_text == "🏫 1А\nВ 1 классе отметки не ставятся."
    assert not [b for b in client.buttons() if b[1].startswith("sv:t:")]
    english = await to_english(bot_env, ADMIN)
    await english.click(StaffCb(v="c", c=first).pack())
    assert "Choose a subject" not in english.last_text
    assert english.last_text.startswith("🏫 1А\n")
