"""The notifications screen through the real Dispatcher: every choice is saved, edits the
same message, and changes what the next push does."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from handlers.menu import MenuCb
from handlers.notification_settings import NotifyCb
from services import journal
from tests.conftest import BotEnv

GUARDIAN, STUDENT = 1001, 1002
MOSCOW = ZoneInfo("Europe/Moscow")


async def _prefs(env: BotEnv, telegram_id: int, child: bool = False) -> Any:
    async with env.db.sessionmaker() as s:
        return (await s.execute(text(
            "SELECT p.* FROM notification_preferences p JOIN accounts a ON a.id = p.account_id "
            "WHERE a.telegram_id = :t AND (p.student_id IS NOT NULL) = :c"),
            {"t": telegram_id, "c": child})).one()


def _pressed(client: Any) -> list[str]:
    return [b for b, _ in client.buttons() if b.startswith("✅ ")]


async def test_every_choice_is_saved_and_edits_the_same_message(bot_env: BotEnv) -> None:
    client = bot_env.client(GUARDIAN)
    await client.send("/settings")
    await client.press("🔔 Уведомления")
    screen = client.last_message
    assert screen is not None
    assert client.last_text.startswith("🔔 Уведомления\nРежим: сразу")
    assert "Тихие часы: 21:00–07:00 по времени школы" in client.last_text
    assert _pressed(client) == ["✅ Сразу", "✅ 🌙 21–07"]  # the school's default window

    replies = await client.press("Сводка раз в день")
    assert [r.method for r in replies if r.method.startswith("edit")] == ["editMessageText"]
    assert all(r.message_id == screen.message_id for r in replies if r.message)
    assert "Режим: одна сводка в день, в 19:00" in client.last_text
    assert (await _prefs(bot_env, GUARDIAN)).digest is True
    await client.press("20:00")
    assert (await _prefs(bot_env, GUARDIAN)).digest_time == dt.time(20, 0)
    assert "✅ 20:00" in _pressed(client)

    await client.press("🌙 22–08")
    prefs = await _prefs(bot_env, GUARDIAN)
    assert (prefs.quiet_start, prefs.quiet_end) == (dt.time(22, 0), dt.time(8, 0))
    await client.press("Без тихих часов")
    assert "Тихие часы: выключены" in client.last_text

    await client.press("🔔 Расписание")
    assert (await _prefs(bot_env, GUARDIAN)).muted_kinds == ["timetable"]
    assert "Выключено: Расписание" in client.last_text
    assert "🔕 Расписание" in [b for b, _ in client.buttons()]

    await client.press("👁 Скрывать оценки: нет")
    assert (await _prefs(bot_env, GUARDIAN)).hide_values is True
    assert "Оценки в уведомлениях скрыты под спойлером" in client.last_text

    await client.press("📚 Предметы: Михаил")
    assert client.last_text.startswith("📚 Уведомления по предметам — Михаил")
    await client.press("🔔 Математика")
    child = await _prefs(bot_env, GUARDIAN, child=True)
    math_id = int(await bot_env.scalar(
        "SELECT j.id FROM subjects j JOIN schools s ON s.id = j.school_id "
        "WHERE s.external_id = 'demo-school' AND j.name = 'Математика'"))
    assert child.muted_subject_ids == [math_id]
    assert child.digest is True and child.hide_values is True  # the chat's defaults kept
    assert "🔕 Математика" in [b for b, _ in client.buttons()]
    await client.press("⬅️ Назад")
    assert "Без уведомлений по предметам (Михаил): Математика" in client.last_text
    assert client.last_message is not None
    assert client.last_message.message_id == screen.message_id  # one message throughout

    # What the next pushes do: math is muted, the rest waits for the 20:00 digest, hidden.
    student_id = int(await bot_env.scalar(
        "SELECT active_student_id FROM accounts WHERE telegram_id = :t", t=GUARDIAN))
    russian, work = (await bot_env.scalar(
        "SELECT array[j.id, w.id] FROM subjects j JOIN work_types w ON w.school_id = j.school_id "
        "AND w.code = 'answer' JOIN schools s ON s.id = j.school_id "
        "WHERE s.external_id = 'demo-school' AND j.name = 'Русский язык'"))
    async with bot_env.db.sessionmaker.begin() as s:
        for subject in (math_id, russian):
            await journal.add_mark(s, student_id=student_id, subject_id=subject,
                                   work_type_id=work, date=dt.date(2026, 11, 23), value=5)
    async with bot_env.db.sessionmaker() as s:
        rows = (await s.execute(text(
            "SELECT payload, due_at FROM notifications WHERE chat_id = :c AND kind = 'marks'"),
            {"c": GUARDIAN})).all()
    assert len(rows) == 1 and rows[0][0]["subject"] == "Русский язык"
    assert rows[0][0]["hide_values"] is True
    assert rows[0][1] == dt.datetime(2026, 11, 23, 20, 0, tzinfo=MOSCOW)


async def test_the_screen_in_english_for_a_student(bot_env: BotEnv) -> None:
    client = bot_env.client(STUDENT, language_code="en")
    await client.send("/settings")
    await client.press("English")
    await client.press("🔔 Notifications")
    assert client.last_text.startswith("🔔 Notifications\nMode: instantly")
    assert "Quiet hours: 21:00–07:00 school time" in client.last_text
    await client.press("🔔 Homework")
    assert "Switched off: Homework" in client.last_text
    await client.press("Daily digest")
    assert "Mode: one digest a day, at 19:00" in client.last_text
    await client.press("⬅️ Settings")
    assert "🔔 Notifications" in [b for b, _ in client.buttons()]


async def test_forged_choices_are_refused(bot_env: BotEnv) -> None:
    client = bot_env.client(GUARDIAN)
    await client.click(MenuCb(area="notifications").pack())
    misha = int(await bot_env.scalar(
        "SELECT active_student_id FROM accounts WHERE telegram_id = :t", t=GUARDIAN))
    lyceum_subject = int(await bot_env.scalar(
        "SELECT j.id FROM subjects j JOIN schools s ON s.id = j.school_id "
        "WHERE s.external_id = 'demo-lyceum' LIMIT 1"))
    stranger = int(await bot_env.scalar(
        "SELECT id FROM students WHERE id <> :m ORDER BY id DESC LIMIT 1", m=misha))
    forged = [NotifyCb(a="ms", v=str(lyceum_subject), s=misha),
              NotifyCb(a="subj", s=stranger), NotifyCb(a="ms", v="1", s=stranger),
              NotifyCb(a="quiet", v="03-04"), NotifyCb(a="time", v="05"),
              NotifyCb(a="kind", v="secret"), NotifyCb(a="mode", v="x")]
    for data in forged:
        replies = await client.click(data.pack())
        assert [r.alert for r in replies if r.alert] == ["Это недоступно."], data
    assert await bot_env.scalar(
        "SELECT count(*) FROM notification_preferences p JOIN accounts a "
        "ON a.id = p.account_id WHERE a.telegram_id = :t", t=GUARDIAN) == 0
    big = 2**31
    assert len(NotifyCb(a="ms", v=str(big), s=big).pack().encode()) <= 64
    assert len(NotifyCb(a="quiet", v="22-08").pack().encode()) <= 64


def test_child_names_are_escaped_in_text_and_kept_in_buttons() -> None:
    from screens import notification_settings, settings
    from screens.i18n import translator
    from services.access import ChildRef, Roles
    from services.notification_settings import SubjectChoice

    t = translator("ru")
    child = ChildRef(7, 1, "<Миша>", "Нил & Ко", 3, "5<А>", 5)
    picker = notification_settings.subjects(t, child, [SubjectChoice(2, "Физ<ра>", False)])
    assert "&lt;Миша&gt;" in picker.text and "<Миша>" not in picker.text
    assert picker.rows[0][0].text == "🔔 Физ<ра>"
    ask = settings.confirm(t, settings.SettingsAction.UNLINK, child)
    assert "&lt;Миша&gt; Нил &amp; Ко" in ask.text
    screen = settings.settings(t, Roles(1, children=(child,)))
    assert any("<Миша>" in b.text and "5<А>" in b.text for row in screen.rows for b in row)


async def test_unknown_actions_and_odd_digits_are_refused(bot_env: BotEnv) -> None:
    client = bot_env.client(GUARDIAN)
    await client.click(MenuCb(area="notifications").pack())
    misha = int(await bot_env.scalar(
        "SELECT active_student_id FROM accounts WHERE telegram_id = :t", t=GUARDIAN))
    malformed = await bot_env.scalar(
        "SELECT count(*) FROM audit_log WHERE details->>'what' = 'malformed_callback'")
    for packed in ("nt:drop::0", "st:drop::0", "sv:x:0:0:0:0:0"):
        replies = await client.click(packed)
        assert replies[-1].alert == "Это недоступно.", packed
    assert await bot_env.scalar(
        "SELECT count(*) FROM audit_log WHERE details->>'what' = 'malformed_callback'") \
        == malformed + 3
    for packed in ("nt:time:²:0", "nt:time:-5:0", "nt:hide:2:0", f"nt:ms:٣:{misha}",
                   "st:lang:de:0"):
        replies = await client.click(packed)
        assert replies[-1].alert == "Это недоступно.", packed
    assert await bot_env.scalar(
        "SELECT count(*) FROM notification_preferences p JOIN accounts a "
        "ON a.id = p.account_id WHERE a.telegram_id = :t", t=GUARDIAN) == 0
    assert await bot_env.scalar("SELECT locale FROM accounts WHERE telegram_id = :t",
                                t=GUARDIAN) == "ru"
