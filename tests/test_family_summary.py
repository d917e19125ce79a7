"""One summary for a guardian of several children, on demand: each child's new marks,
today's absences, the next school day's timetable changes and homework, each part
labelled with the child's name."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import text

from tests.conftest import DEMO_NOW, DEMO_TODAY, BotEnv
from tests.test_homework_views import VISIBLE
from tests.test_marks_views import rows

GUARDIAN = 1001  # Михаил Петров (5А) and Ольга Петрова (1А)
STUDENT = 1002
TUESDAY = DEMO_TODAY + dt.timedelta(days=1)


async def execute(env: BotEnv, sql: str, **params: Any) -> None:
    async with env.db.sessionmaker.begin() as s:
        await s.execute(text(sql), params)


async def misha(env: BotEnv) -> Any:
    return (await rows(env, "SELECT s.id, s.class_id, s.school_id FROM students s JOIN "
                            "classes c ON c.id = s.class_id WHERE c.name = '5А' AND s.id IN "
                            "(SELECT student_id FROM account_links l JOIN accounts a ON "
                            "a.id = l.account_id WHERE a.telegram_id = :t)", t=GUARDIAN))[0]


async def prepare(env: BotEnv) -> dict[str, Any]:
    """A mark entered this morning, an absence today, a lesson cancelled tomorrow."""
    child = await misha(env)
    await execute(env, "INSERT INTO marks (school_id, student_id, subject_id, work_type_id, "
                  "date, value, weight, entered_at) SELECT :sc, :s, j.id, w.id, :d, 5, 1, "
                  ":at FROM subjects j, work_types w WHERE j.school_id = :sc AND j.name = "
                  "'Математика' AND w.school_id = :sc ORDER BY w.weight LIMIT 1",
                  sc=child.school_id, s=child.id, d=DEMO_TODAY, at=DEMO_NOW)
    today = (await rows(env, "SELECT l.id, l.slot, j.name FROM lessons l JOIN subjects j ON "
                        "j.id = l.subject_id WHERE l.class_id = :c AND l.date = :d AND "
                        "l.subgroup_id IS NULL ORDER BY l.slot LIMIT 1",
                        c=child.class_id, d=DEMO_TODAY))[0]
    await execute(env, "DELETE FROM attendance WHERE student_id = :s AND date = :d",
                  s=child.id, d=DEMO_TODAY)
    await execute(env, "INSERT INTO attendance (school_id, student_id, lesson_id, date, kind) "
                  "VALUES (:sc, :s, :l, :d, 'ill')", sc=child.school_id, s=child.id,
                  l=today.id, d=DEMO_TODAY)
    tomorrow = (await rows(env, "SELECT l.id, l.slot, j.name FROM lessons l JOIN subjects j "
                           "ON j.id = l.subject_id WHERE l.class_id = :c AND l.date = :d AND "
                           "l.subgroup_id IS NULL AND l.status = 'scheduled' ORDER BY l.slot "
                           "DESC LIMIT 1", c=child.class_id, d=TUESDAY))[0]
    await execute(env, "UPDATE lessons SET status = 'cancelled' WHERE id = :l", l=tomorrow.id)
    homework = await rows(env, "SELECT sub.name AS subject, h.text " + VISIBLE +
                          " AND h.due_on = :d", s=child.id, d=TUESDAY)
    return {"absent": today, "cancelled": tomorrow, "homework": homework}


async def test_one_summary_for_several_children(bot_env: BotEnv) -> None:
    found = await prepare(bot_env)
    client = bot_env.client(GUARDIAN)
    await client.send("/menu")
    await client.press("👪 Сводка по детям")
    body = client.last_text
    assert body.startswith("👪 Сводка по детям: Пн, 23 ноября")
    assert "Михаил Петров, 5А" in body and "Ольга Петрова, 1А" in body
    assert "📊 Михаил: новые оценки за вчера и сегодня" in body
    assert "23.11 · Математика: 5" in body
    assert "📊 Ольга" not in body  # a first-grader gets no marks
    assert "🚶 Михаил: пропуски сегодня" in body
    assert f"{found['absent'].slot} урок, {found['absent'].name} — болезнь" in body
    assert "🚶 Ольга: сегодня без пропусков" in body
    assert "🔁 Михаил: изменения в расписании на Вт, 24 ноября" in body
    assert f"{found['cancelled'].slot}. {found['cancelled'].name} ❌ отменён" in body
    assert "📚 Михаил: домашнее задание на Вт, 24 ноября" in body
    for h in found["homework"]:
        assert f"{h.subject}: {h.text}" in body
    assert "📚 Ольга: на " in body and "заданий нет" in body
    assert len(body) <= 4096

    await client.send("/settings")
    await client.press("🇬🇧 English")
    await client.send("/summary")
    body = client.last_text
    assert body.startswith("👪 All children: Mon, 23 November")
    assert "📊 Михаил: new marks since yesterday" in body
    assert "🚶 Ольга: nothing missed today" in body
    assert "🔁 Михаил: timetable changes for Tue, 24 November" in body
    assert "📚 Михаил: homework due Tue, 24 November" in body


async def test_the_summary_is_for_guardians_of_several_children(bot_env: BotEnv) -> None:
    student = bot_env.client(STUDENT)
    await student.send("/menu")
    assert not any("Сводка" in b[0] for b in student.buttons())
    replies = await student.send("/summary")
    assert replies[-1].text == "Это недоступно."
    # A child whose guardian withdrew consent leaves the summary (and the button) too.
    await execute(bot_env, "UPDATE account_links SET revoked_at = now() WHERE student_id IN "
                  "(SELECT s.id FROM students s JOIN classes c ON c.id = s.class_id WHERE "
                  "c.name = '1А') AND account_id = (SELECT id FROM accounts WHERE "
                  "telegram_id = :t)", t=GUARDIAN)
    guardian = bot_env.client(GUARDIAN)
    await guardian.send("/menu")
    assert not any("Сводка" in b[0] for b in guardian.buttons())
