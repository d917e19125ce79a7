"""Class notices through the real Dispatcher: composing (class, audience, text, preview),
the fan-out through the outbox with the acknowledgement button, receipts, the author's
counts, the non-readers and the once-a-day reminder to them only, urgency and quiet hours,
the wall, and refusals."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from bot.delivery import DeliveryWorker
from services import clock
from tests.conftest import BotEnv

GUARDIAN, STUDENT, CLASS_TEACHER, MATH_TEACHER, ADMIN = 1001, 1002, 2001, 2002, 2003
MOSCOW = ZoneInfo("Europe/Moscow")
NOT_AVAILABLE = "Это недоступно."


async def _deliver(env: BotEnv, chat: int) -> list[Any]:
    before = len(env.session.sent_to(chat))
    await DeliveryWorker(env.bot, env.db.sessionmaker).run_once()
    return env.session.sent_to(chat)[before:]


async def _deliver_all(env: BotEnv, *chats: int) -> dict[int, list[Any]]:
    before = {c: len(env.session.sent_to(c)) for c in chats}
    await DeliveryWorker(env.bot, env.db.sessionmaker).run_once()
    return {c: env.session.sent_to(c)[before[c]:] for c in chats}


def _buttons(message: Any) -> list[str]:
    markup = message.reply_markup
    return [b.text for row in (markup.inline_keyboard if markup else []) for b in row]


async def _compose(client: Any, klass: str, audience: str, text: str) -> None:
    await client.send("/menu")
    await client.press("📢 Объявления")
    await client.press("✏️ Новое объявление")
    await client.press(klass)
    await client.press(audience)
    await client.send(text)


async def test_notice_fan_out_acknowledgements_counts_and_reminder(bot_env: BotEnv) -> None:
    teacher = bot_env.client(CLASS_TEACHER)
    await _compose(teacher, "5А", "👪🎒 Родители и ученики",
                   "Собрание в четверг в 18:00 <b>не</b> забудьте")
    preview = teacher.last_text or ""
    assert "Проверьте объявление" in preview and "Класс: 5А" in preview
    assert "&lt;b&gt;не&lt;/b&gt;" in (teacher.last_message.html_text or "")  # type: ignore[union-attr]
    # Nothing goes out before the confirmation.
    assert await bot_env.scalar("SELECT count(*) FROM class_notices") == 0
    await teacher.press("📤 Отправить")
    assert "Получателей: 2" in (teacher.last_text or "")

    pushes = await _deliver_all(bot_env, GUARDIAN, STUDENT)
    [to_guardian], [to_student] = pushes[GUARDIAN], pushes[STUDENT]
    assert to_guardian.html_text.startswith("📌 <b>Объявление</b>, 5А — Орлова")
    assert "&lt;b&gt;не&lt;/b&gt;" in to_guardian.html_text
    assert _buttons(to_guardian) == ["✅ Ознакомлен(а)"] == _buttons(to_student)

    guardian = bot_env.client(GUARDIAN)
    replies = await guardian.press("✅ Ознакомлен(а)")
    assert replies[-1].alert == "Спасибо! Отмечено, что вы ознакомились."
    replies = await guardian.press("✅ Ознакомлен(а)")
    assert replies[-1].alert == "Вы уже ознакомились с этим объявлением."

    await teacher.press("📊 Кто получил и прочитал")
    status = teacher.last_text or ""
    assert "Получателей: 2" in status and "Доставлено: 2" in status
    assert "Ознакомились: 1" in status and "Ждут отправки: 0" in status
    await teacher.press("👀 Кто не ознакомился")
    assert "Не ознакомились: 1" in (teacher.last_text or "")
    assert "ученик: Ковалёв Артём" in (teacher.last_text or "")

    replies = await teacher.press("🔔 Напомнить им")
    assert replies[0].alert == "Напоминание отправлено: 1."
    pushes = await _deliver_all(bot_env, GUARDIAN, STUDENT)
    assert pushes[GUARDIAN] == []  # who acknowledged hears nothing more
    [reminder] = pushes[STUDENT]
    assert reminder.html_text.startswith("🔔 <b>Напоминание: объявление</b>, 5А")
    replies = await teacher.press("🔔 Напомнить им")
    assert replies[-1].alert.startswith("Сегодня уже напоминали")

    # The student acknowledges from the reminder; everyone has now read it.
    await bot_env.client(STUDENT).press("✅ Ознакомлен(а)")
    await teacher.press("👀 Кто не ознакомился")
    await teacher.press("📊 Кто получил и прочитал")
    assert "Ознакомились: 2" in (teacher.last_text or "")

    # The guardian's wall: newest first, with the mark.
    await guardian.send("/menu")
    await guardian.press("📌 Объявления класса")
    wall = guardian.last_text or ""
    assert wall.startswith("📌 Объявления") and "Собрание в четверг" in wall and "✅" in wall


async def test_urgent_notice_bypasses_quiet_hours_in_english(bot_env: BotEnv) -> None:
    admin = bot_env.client(ADMIN, language_code="en")
    await admin.send("/settings")
    await admin.press("🇬🇧 English")
    night = dt.datetime(2026, 11, 23, 23, 0, tzinfo=MOSCOW)
    with clock.frozen(night):
        for urgent in (False, True):
            await admin.send("/menu")
            await admin.press("📢 Notices")
            await admin.press("✏️ New notice")
            await admin.press("the whole school")
            await admin.press("👪 Parents")
            await admin.send("Urgent: school closed tomorrow" if urgent else "Photo day")
            if urgent:
                await admin.press("⚡ Make urgent")
                assert "⚡ Urgent" in (admin.last_text or "")
            await admin.press("📤 Send")
            assert (admin.last_text or "").startswith("✅ The notice is sent.")
        pushes = await _deliver(bot_env, GUARDIAN)
    # Only the urgent one comes at night; the other waits for the morning.
    [urgent_push] = pushes
    assert "school closed tomorrow" in urgent_push.html_text
    assert "вся школа" in urgent_push.html_text  # the guardian reads Russian
    held = await bot_env.scalar(
        "SELECT count(*) FROM notifications WHERE kind = 'notice' AND status = 'pending' "
        "AND chat_id = :c", c=GUARDIAN)
    assert held == 1
    # Parents only: the student's chat got no receipt.
    assert await bot_env.scalar(
        "SELECT count(*) FROM notice_receipts r JOIN accounts a ON a.id = r.account_id "
        "WHERE a.telegram_id = :t", t=STUDENT) == 0


async def test_an_english_author_sees_counts_and_the_wall_in_english(bot_env: BotEnv) -> None:
    teacher = bot_env.client(CLASS_TEACHER, language_code="en")
    await teacher.send("/settings")
    await teacher.press("🇬🇧 English")
    await teacher.send("/menu")
    await teacher.press("📢 Notices")
    await teacher.press("✏️ New notice")
    await teacher.press("5А")
    await teacher.press("🎒 Students")
    await teacher.send("Bring your sports kit")
    assert "Check the notice" in (teacher.last_text or "")
    await teacher.press("📤 Send")
    await teacher.press("📊 Delivered and read")
    assert "Recipients: 1" in (teacher.last_text or "")
    assert "Waiting to be sent: 1" in (teacher.last_text or "")
    student = bot_env.client(STUDENT, language_code="en")
    await student.send("/settings")
    await student.press("🇬🇧 English")
    [push] = await _deliver(bot_env, STUDENT)
    assert push.html_text.startswith("📌 <b>Notice</b>, 5А")
    assert _buttons(push) == ["✅ Acknowledged"]
    await student.send("/menu")
    await student.press("📌 Class notices")
    await student.press("✅ Acknowledged")
    assert "✅" in (student.last_text or "") and "Bring your sports kit" in (
        student.last_text or "")


async def test_a_command_cancels_the_draft_and_nothing_is_sent(bot_env: BotEnv) -> None:
    teacher = bot_env.client(CLASS_TEACHER)
    await teacher.send("/menu")
    await teacher.press("📢 Объявления")
    await teacher.press("✏️ Новое объявление")
    await teacher.press("5А")
    await teacher.press("👪 Родители")
    await teacher.send("/menu")  # the draft ends; the menu is shown as usual
    assert (teacher.last_text or "").startswith("Электронный дневник")
    await teacher.send("Это не объявление")
    assert await bot_env.scalar("SELECT count(*) FROM class_notices") == 0
    # Over the limit: refused, the draft stays for another try.
    await teacher.send("/menu")  # the "not understood" reply above carries only a Menu button
    await teacher.press("📢 Объявления")
    await teacher.press("✏️ Новое объявление")
    await teacher.press("5А")
    await teacher.press("👪 Родители")
    await teacher.send("я" * 3001)
    assert "Слишком длинное сообщение" in (teacher.last_text or "")
    await teacher.send("Коротко")
    assert "Проверьте объявление" in (teacher.last_text or "")


async def test_refused_posting_and_acknowledging_another_class_notice(
    bot_env: BotEnv,
) -> None:
    # The math teacher teaches 5А and 7Б, not 1А: the picker offers only theirs.
    math = bot_env.client(MATH_TEACHER)
    await math.send("/menu")
    await math.press("📢 Объявления")
    await math.press("✏️ Новое объявление")
    offered = [text for text, _ in math.buttons()]
    assert "5А" in offered and "7Б" in offered and "1А" not in offered
    assert "вся школа" not in offered
    class_1a = await bot_env.scalar("SELECT id FROM classes WHERE name = '1А'")
    replies = await math.click(f"nc:c:{class_1a}:0:0")
    assert replies[-1].alert == NOT_AVAILABLE

    # A notice to 7Б; the 5А guardian forges its acknowledgement.
    await math.press("7Б")
    await math.press("👪🎒 Родители и ученики")
    await math.send("Экскурсия 7Б")
    await math.press("📤 Отправить")
    notice = await bot_env.scalar("SELECT max(id) FROM class_notices")
    guardian = bot_env.client(GUARDIAN)
    await guardian.send("/menu")
    replies = await guardian.click(f"nc:k:{notice}:0:0")
    assert replies[-1].alert == NOT_AVAILABLE
    assert await bot_env.scalar(
        "SELECT count(*) FROM audit_log WHERE details->>'what' = 'notice_ack'") == 1
    # Nor may the class teacher of 5А read the counts of the math teacher's notice.
    replies = await bot_env.client(CLASS_TEACHER).click(f"nc:t:{notice}:0:0")
    assert replies[-1].alert == NOT_AVAILABLE


def test_a_notice_push_is_a_message_of_its_own_with_its_button() -> None:
    """A burst with marks and two notices: the marks merge, each notice comes after them
    alone, carrying the acknowledgement button of its own notice."""
    from screens.i18n import translator
    from screens.pushes import PushRow, compose
    from services.push_events import ClassNoticeEvent, MarkEvent

    at = dt.datetime(2026, 11, 23, 10, 0, tzinfo=MOSCOW)
    rows = [
        PushRow(3, ClassNoticeEvent("class_notice", 8, "Второе", "Орлова", "5А"), 1, at),
        PushRow(1, MarkEvent("mark_added", "Физика", "Ответ", 1, at.date(), 5,
                             student="Михаил"), 1, at),
        PushRow(2, ClassNoticeEvent("class_notice", 7, "Первое <i>", None, ""), 1, at),
    ]
    first, second, third = compose(rows, translator("en"))
    assert first.row_ids == (1,) and first.rows == ()
    assert second.row_ids == (2,) and "the whole school" in second.text
    assert "Первое &lt;i&gt;" in second.text
    assert [[b.payload for b in r] for r in second.rows] == [["nc:k:7:0:0"]]
    assert third.row_ids == (3,) and third.rows[0][0].payload == "nc:k:8:0:0"
    assert third.rows[0][0].text == "✅ Acknowledged"


async def test_a_notice_with_a_photo_goes_out_as_the_photo_with_its_button(
    bot_env: BotEnv,
) -> None:
    teacher = bot_env.client(CLASS_TEACHER)
    await teacher.send("/menu")
    await teacher.press("📢 Объявления")
    await teacher.press("✏️ Новое объявление")
    await teacher.press("5А")
    await teacher.press("🎒 Ученики")
    await teacher.send_photo(caption="Расписание экзаменов")
    assert "📎 С фотографией" in (teacher.last_text or "")
    await teacher.press("📤 Отправить")
    file_id = await bot_env.scalar("SELECT attachment_file_id FROM class_notices")
    assert await bot_env.scalar("SELECT attachment_kind FROM class_notices") == "photo"

    before = len(bot_env.session.requests)
    await DeliveryWorker(bot_env.bot, bot_env.db.sessionmaker).run_once()
    [sent] = [r for r in bot_env.session.requests[before:] if r.chat_id == STUDENT]
    assert sent.method == "sendPhoto" and sent.call.photo == file_id
    assert sent.message.caption.startswith("📌 Объявление, 5А")
    assert "Расписание экзаменов" in sent.message.caption
    assert _buttons(sent.message) == ["✅ Ознакомлен(а)"]
    replies = await bot_env.client(STUDENT).press("✅ Ознакомлен(а)")
    assert replies[-1].alert == "Спасибо! Отмечено, что вы ознакомились."


async def test_a_notice_to_a_subgroup_reaches_its_members_only(bot_env: BotEnv) -> None:
    # A 5А subgroup with the student of chat 1002 (Артём) in it.
    row = await bot_env.scalar(
        "SELECT g.name || '|' || g.id FROM subgroups g JOIN classes c ON c.id = g.class_id "
        "JOIN subgroup_members m ON m.subgroup_id = g.id "
        "JOIN account_links l ON l.student_id = m.student_id "
        "JOIN accounts a ON a.id = l.account_id "
        "WHERE c.name = '5А' AND a.telegram_id = :t ORDER BY g.id LIMIT 1", t=STUDENT)
    name, group = row.split("|")
    guardian_in = await bot_env.scalar(
        "SELECT count(*) FROM subgroup_members m JOIN account_links l "
        "ON l.student_id = m.student_id JOIN accounts a ON a.id = l.account_id "
        "WHERE m.subgroup_id = :g AND a.telegram_id = :t", g=int(group), t=GUARDIAN)
    teacher = bot_env.client(CLASS_TEACHER)
    await teacher.send("/menu")
    await teacher.press("📢 Объявления")
    await teacher.press("✏️ Новое объявление")
    await teacher.press("5А")
    await teacher.press(f"👥 Только группа: {name}")
    assert f"Класс: 5А, {name}" in (teacher.last_text or "")
    await teacher.press("👪🎒 Родители и ученики")
    await teacher.send("Группа завтра в 305 кабинете")
    await teacher.press("📤 Отправить")
    pushes = await _deliver_all(bot_env, GUARDIAN, STUDENT)
    assert len(pushes[STUDENT]) == 1
    assert len(pushes[GUARDIAN]) == guardian_in
    # A subgroup of another class is refused.
    other = await bot_env.scalar(
        "SELECT g.id FROM subgroups g JOIN classes c ON c.id = g.class_id "
        "WHERE c.name <> '5А' LIMIT 1")
    class_5a = await bot_env.scalar("SELECT id FROM classes WHERE name = '5А'")
    replies = await teacher.click(f"nc:a:{class_5a}:2:{other}")
    assert replies[-1].alert == NOT_AVAILABLE
