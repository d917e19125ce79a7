"""A day's homework in lesson order, homework the journal holds ahead of its lesson
labelled "planned", and the "individual" label said once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from handlers.homework import HwCb
from screens.i18n import translator
from tests.conftest import DEMO_TODAY, BotEnv
from tests.test_homework_views import VISIBLE, open_homework
from tests.test_timetable_views import GUARDIAN, english, rows, viewed_student

TUESDAY = DEMO_TODAY + dt.timedelta(days=1)
ru, en = translator("ru"), translator("en")


async def test_a_days_homework_follows_the_lesson_order(bot_env: BotEnv) -> None:
    student = await viewed_student(bot_env, GUARDIAN)
    due = await rows(bot_env, "SELECT DISTINCT sub.name AS subject, (SELECT min(l.slot) "
                     "FROM lessons l JOIN students st ON st.id = :s WHERE l.class_id = "
                     "st.class_id AND l.date = :d AND l.subject_id = h.subject_id) AS slot "
                     + VISIBLE + " AND h.due_on = :d", s=student, d=TUESDAY)
    expected = [r.subject for r in sorted(due, key=lambda r: (r.slot or 99, r.subject))]
    assert len(expected) >= 3 and expected != sorted(expected)  # not merely alphabetical
    client = await open_homework(bot_env, GUARDIAN)
    shown = [line.split(": ")[0] for line in client.last_text.splitlines()
             if ": " in line and line.split(": ")[0] in expected]
    assert list(dict.fromkeys(shown)) == expected


async def planned_homework(env: BotEnv, student: int) -> Any:
    return (await rows(env, "SELECT h.due_on, h.assigned_on " + VISIBLE +
                       " AND h.assigned_on > :d ORDER BY h.due_on LIMIT 1",
                       s=student, d=DEMO_TODAY))[0]


async def test_homework_not_yet_set_is_labelled_planned(bot_env: BotEnv) -> None:
    student = await viewed_student(bot_env, GUARDIAN)
    later = await planned_homework(bot_env, student)
    given = await rows(bot_env, "SELECT count(*) FILTER (WHERE h.assigned_on > :t) AS planned,"
                       " count(*) AS every " + VISIBLE + " AND h.due_on = :d", s=student,
                       t=DEMO_TODAY, d=later.due_on)
    client = await open_homework(bot_env, GUARDIAN)
    await client.click(HwCb("d", student, d=int(f"{later.due_on:%Y%m%d}")).pack())
    body = client.last_text
    label = f"🗓 запланировано: будет задано {ru.date(later.assigned_on)}"
    assert body.count("🗓 запланировано") == given[0].planned >= 1 and label in body
    assert body.count("задано ") == given[0].every
    client = await english(bot_env, GUARDIAN)
    await client.click(HwCb("d", student, d=int(f"{later.due_on:%Y%m%d}")).pack())
    assert f"🗓 planned: to be set on {en.date(later.assigned_on)}" in client.last_text
    # Tomorrow's homework was all given by today: nothing there is planned.
    await client.send("/homework")
    assert "Homework due Tue, 24 November" in client.last_text
    assert "planned" not in client.last_text


async def test_individual_homework_is_labelled_once(bot_env: BotEnv) -> None:
    client = await open_homework(bot_env, GUARDIAN)
    body = client.last_text
    assert body.count("👤 индивидуальное задание") == 1
    assert body.lower().count("индивидуальн") == 1

