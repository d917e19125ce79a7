"""Every push opens its view: a mark push carries a button to the subject's marks, a
timetable change one to that day, homework one to the day it is due. Delivered by the real
worker, pressed through the real Dispatcher (which checks access again)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from bot.delivery import DeliveryWorker
from screens.i18n import translator
from screens.pushes import PushRow, compose
from services import journal
from services.models import Lesson, LessonStatus, Staff
from services.push_events import MarkEvent
from tests.conftest import BotEnv

GUARDIAN = 1001  # demo: mother of Михаил (5А) and Ольга (1А), Russian
TODAY = dt.date(2026, 11, 23)


async def _ids(env: BotEnv) -> dict[str, int]:
    student = int(await env.scalar(
        "SELECT active_student_id FROM accounts WHERE telegram_id = :t", t=GUARDIAN))
    found = {"student": student, "class": int(await env.scalar(
        "SELECT class_id FROM students WHERE id = :s", s=student))}
    for name in ("Математика", "Физика"):
        found[name] = int(await env.scalar(
            "SELECT j.id FROM subjects j JOIN schools s ON s.id = j.school_id "
            "WHERE s.external_id = 'demo-school' AND j.name = :n", n=name))
    found["answer"] = int(await env.scalar(
        "SELECT w.id FROM work_types w JOIN schools s ON s.id = w.school_id "
        "WHERE s.external_id = 'demo-school' AND w.code = 'answer'"))
    return found


async def _deliver(env: BotEnv) -> list[Any]:
    before = len(env.session.sent_to(GUARDIAN))
    await DeliveryWorker(env.bot, env.db.sessionmaker, worker_id="buttons").run_once()
    return env.session.sent_to(GUARDIAN)[before:]


def _buttons(message: Any) -> list[str]:
    markup = message.reply_markup
    return [b.text for row in (markup.inline_keyboard if markup else []) for b in row]


async def test_a_mark_push_opens_the_subject_view(bot_env: BotEnv) -> None:
    ids = await _ids(bot_env)
    async with bot_env.db.sessionmaker.begin() as s:
        await journal.add_mark(s, student_id=ids["student"], subject_id=ids["Физика"],
                               work_type_id=ids["answer"], date=TODAY, value=5)
    [push] = await _deliver(bot_env)
    assert _buttons(push) == ["📊 Оценки: Физика"]

    client = bot_env.client(GUARDIAN)
    await client.press("📊 Оценки: Физика")
    text = client.last_text or ""
    assert "Физика" in text and "5" in text


async def test_merged_marks_get_one_button_per_subject(bot_env: BotEnv) -> None:
    ids = await _ids(bot_env)
    async with bot_env.db.sessionmaker.begin() as s:
        for subject in ("Математика", "Физика", "Физика"):
            await journal.add_mark(s, student_id=ids["student"], subject_id=ids[subject],
                                   work_type_id=ids["answer"], date=TODAY, value=4)
    [push] = await _deliver(bot_env)
    assert _buttons(push) == ["📊 Оценки: Математика", "📊 Оценки: Физика"]


async def test_a_timetable_change_opens_that_day(bot_env: BotEnv) -> None:
    ids = await _ids(bot_env)
    tomorrow = TODAY + dt.timedelta(days=1)
    async with bot_env.db.sessionmaker.begin() as s:
        lesson = await s.scalar(select(Lesson).where(
            Lesson.class_id == ids["class"], Lesson.date == tomorrow,
            Lesson.subgroup_id.is_(None), Lesson.status == LessonStatus.SCHEDULED)
            .order_by(Lesson.slot))
        assert lesson is not None
        substitute = await s.scalar(select(Staff.id).where(
            Staff.school_id == lesson.school_id, Staff.id != lesson.teacher_id,
            Staff.last_name == "Степанов"))
        await journal.change_lesson(s, lesson.id, status="replaced", substitute_id=substitute)
    [push] = await _deliver(bot_env)
    [button] = _buttons(push)
    assert button.startswith("📅 Расписание на ")

    client = bot_env.client(GUARDIAN)
    await client.press(button)
    text = client.last_text or ""
    assert "Степанов" in text  # the day's timetable, with the replacement


async def test_homework_opens_its_day_in_english(bot_env: BotEnv) -> None:
    ids = await _ids(bot_env)
    client = bot_env.client(GUARDIAN)
    await client.send("/settings")
    await client.press("🇬🇧 English")
    due = TODAY + dt.timedelta(days=2)
    async with bot_env.db.sessionmaker.begin() as s:
        await journal.set_homework(s, class_id=ids["class"], subject_id=ids["Физика"],
                                   due_on=due, text="Параграф 12")
    [push] = await _deliver(bot_env)
    [button] = _buttons(push)
    assert button.startswith("📚 Homework for ")

    await client.press(button)
    assert "Параграф 12" in (client.last_text or "")


def test_no_buttons_for_two_children_or_mixed_views() -> None:
    t = translator("ru")
    now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)

    def mark(row_id: int, student: int, subject: str, subject_id: int) -> PushRow:
        event = MarkEvent(type="mark_added", subject=subject, work_type="Ответ", weight=1,
                          date=TODAY, value=5, student=f"S{student}")
        return PushRow(row_id, event, student, now, subject_id=subject_id)

    [one] = compose([mark(1, 7, "Физика", 3)], t)
    assert len(one.rows) == 1
    [two] = compose([mark(1, 7, "Физика", 3), mark(2, 8, "Физика", 3)], t)
    assert two.rows == ()  # two children: no single view to open
    [many] = compose([mark(i, 7, f"П{i}", i) for i in range(1, 6)], t)
    assert many.rows == ()  # more subjects than a few buttons
    [legacy] = compose([PushRow(1, mark(1, 7, "Физика", 3).event, 7, now)], t)
    assert legacy.rows == ()  # a row queued without its subject
