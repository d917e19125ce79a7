"""Messages between families and teachers, through the real Dispatcher and the real delivery
worker: a round trip guardian → teacher → guardian with office hours holding and
releasing it (the teacher in English), a photo relayed by file_id, a reply to an absence
push reaching the class teacher, blocking, the flood limit, and refusals."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.types import Document, Message, PhotoSize
from sqlalchemy import text

from bot.delivery import DeliveryWorker
from screens.messages import MsgAction, MsgCb
from screens.nav import MenuArea, MenuCb
from services import clock, messages, notifications
from services.notifications import Push
from services.push_events import AbsenceEvent
from tests.conftest import BotEnv

GUARDIAN, STUDENT, CLASS_TEACHER, MATH_TEACHER, ADMIN = 1001, 1002, 2001, 2002, 2003
MOSCOW = ZoneInfo("Europe/Moscow")
EVENING = dt.datetime(2026, 11, 23, 19, 30, tzinfo=MOSCOW)  # Monday, after office hours
MORNING = dt.datetime(2026, 11, 24, 8, 1, tzinfo=MOSCOW)  # Tuesday, they have opened
NOT_AVAILABLE = "Это недоступно."


async def _deliver(env: BotEnv, at: dt.datetime) -> None:
    with clock.frozen(at):
        await DeliveryWorker(env.bot, env.db.sessionmaker, worker_id="msg").run_once()


def _new(env: BotEnv, chat: int, before: int) -> list[Message]:
    return env.session.sent_to(chat)[before:]


async def _reply(client: Any, to: Message, **content: Any) -> Any:
    """The user answers a bot message with Telegram's reply."""
    return await client._send_message(reply_to_message=to, **content)


async def _staff_id(env: BotEnv, telegram_id: int) -> int:
    return int(await env.scalar(
        "SELECT l.staff_id FROM account_links l JOIN accounts a ON a.id = l.account_id "
        "WHERE a.telegram_id = :t AND l.kind = 'staff'", t=telegram_id))


async def _write(client: Any, teacher: str, text: str) -> Any:
    await client.send("/menu")
    await client.press("✉️ Написать учителю")
    await client.press(f"✍️ {teacher}")
    return await client.send(text)


async def test_round_trip_with_office_hours_holding_and_releasing(bot_env: BotEnv) -> None:
    guardian, teacher = bot_env.client(GUARDIAN), bot_env.client(MATH_TEACHER)
    await teacher.send("/settings")
    await teacher.press("🇬🇧 English")

    with clock.frozen(EVENING):
        await _write(guardian, "Григорьев", "Здравствуйте! <b>Когда</b> контрольная?")
    assert "✅ Сообщение отправлено." in (guardian.last_text or "")
    assert "24.11 08:00" in (guardian.last_text or "")  # when to expect an answer

    seen = len(bot_env.session.sent_to(MATH_TEACHER))
    await _deliver(bot_env, EVENING + dt.timedelta(minutes=5))
    assert _new(bot_env, MATH_TEACHER, seen) == []  # held outside office hours
    await _deliver(bot_env, MORNING)
    [relayed] = _new(bot_env, MATH_TEACHER, seen)
    html = relayed.html_text
    assert html.startswith("✉️ <b>Message from a parent</b>: Михаил Петров, 5А")
    assert "&lt;b&gt;Когда&lt;/b&gt;" in html  # the parent's text is never markup
    assert "1001" not in html and "Анна" not in html  # no account, no parent's name

    with clock.frozen(MORNING):
        await _reply(teacher, relayed, text="В четверг. Повторите дроби.")
    assert "✅ Message sent." in (teacher.last_text or "")
    seen = len(bot_env.session.sent_to(GUARDIAN))
    await _deliver(bot_env, MORNING + dt.timedelta(minutes=1))
    [answer] = _new(bot_env, GUARDIAN, seen)
    assert answer.html_text.startswith(
        "✉️ <b>Сообщение от учителя</b>: Григорьев Павел Сергеевич")
    assert "В четверг. Повторите дроби." in answer.html_text

    # The parent answers the answer with a photo: relayed by Telegram's file_id.
    photo = PhotoSize(file_id="user-photo-77", file_unique_id="u77", width=320, height=240)
    with clock.frozen(MORNING + dt.timedelta(minutes=2)):
        await _reply(guardian, answer, photo=[photo], caption="Вот тетрадь")
    seen = len(bot_env.session.sent_to(MATH_TEACHER))
    await _deliver(bot_env, MORNING + dt.timedelta(minutes=3))
    [relayed_photo] = _new(bot_env, MATH_TEACHER, seen)
    assert relayed_photo.photo and relayed_photo.photo[-1].file_id == "user-photo-77"
    assert "Вот тетрадь" in (relayed_photo.caption or "")

    # The teacher's list: one thread, one unread (the photo).
    await teacher.send("/menu")
    await teacher.press("💬 Messages")
    threads = [text for text, _ in teacher.buttons() if text.startswith("💬 Михаил")]
    assert threads == ["💬 Михаил Петров, 5А (1)"]
    await teacher.press("💬 Михаил Петров, 5А (1)")
    view = teacher.last_text or ""
    assert "Когда" in view and "В четверг" in view and "photo" in view
    await teacher.send("/menu")
    await teacher.press("💬 Messages")
    assert any(text == "💬 Михаил Петров, 5А" for text, _ in teacher.buttons())


async def test_a_reply_to_an_absence_push_reaches_the_class_teacher(bot_env: BotEnv) -> None:
    student = int(await bot_env.scalar(
        "SELECT active_student_id FROM accounts WHERE telegram_id = :t", t=GUARDIAN))
    lesson = int(await bot_env.scalar(
        "SELECT l.id FROM lessons l JOIN students s ON s.class_id = l.class_id "
        "WHERE s.id = :s AND l.subgroup_id IS NULL AND l.date = :d ORDER BY l.slot LIMIT 1",
        s=student, d=dt.date(2026, 11, 23)))
    async with bot_env.db.sessionmaker.begin() as s:
        # The absence push as the journal exchange queues it (services/exchange/records.py).
        school = await notifications.school_clock(s, int(await s.scalar(
            text("SELECT school_id FROM students WHERE id = :s"), {"s": student})))
        absence = AbsenceEvent(attendance="absent", subject="Математика",
                               date=dt.date(2026, 11, 23), slot=1)
        assert await notifications.notify_student(
            s, school, student, Push(absence, f"absence:test:{lesson}")) == 1
    seen = len(bot_env.session.sent_to(GUARDIAN))
    await _deliver(bot_env, clock.now())
    [push] = _new(bot_env, GUARDIAN, seen)
    assert "посещаемость" in push.html_text and "ответьте" in push.html_text

    guardian = bot_env.client(GUARDIAN)
    await _reply(guardian, push, text="Был у врача, справка будет завтра.")
    assert "✅ Сообщение отправлено." in (guardian.last_text or "")
    seen = len(bot_env.session.sent_to(CLASS_TEACHER))
    await _deliver(bot_env, clock.now() + dt.timedelta(minutes=1))
    [relayed] = _new(bot_env, CLASS_TEACHER, seen)
    assert relayed.html_text.startswith("✉️ <b>Сообщение от родителя</b>: Михаил Петров, 5А")
    assert "Был у врача" in relayed.html_text
    head = await _staff_id(bot_env, CLASS_TEACHER)
    assert await bot_env.scalar(
        "SELECT count(*) FROM message_threads WHERE student_id = :s AND staff_id = :h",
        s=student, h=head) == 1


async def test_writing_to_a_teacher_who_does_not_teach_the_child_is_refused(
    bot_env: BotEnv,
) -> None:
    misha = int(await bot_env.scalar(
        "SELECT active_student_id FROM accounts WHERE telegram_id = :t", t=GUARDIAN))
    # A teacher of the school who neither teaches, substitutes in nor heads Михаил's class.
    other = int(await bot_env.scalar(
        "SELECT st.id FROM staff st JOIN students s ON s.school_id = st.school_id "
        "JOIN classes c ON c.id = s.class_id WHERE s.id = :s AND st.id <> c.class_teacher_id "
        "AND st.id NOT IN (SELECT staff_id FROM teaching_assignments WHERE class_id = c.id) "
        "AND st.id NOT IN (SELECT substitute_id FROM lessons WHERE class_id = c.id "
        "AND substitute_id IS NOT NULL) ORDER BY st.id LIMIT 1", s=misha))
    guardian = bot_env.client(GUARDIAN)
    await guardian.send("/menu")
    forged = MsgCb(MsgAction.WRITE, s=misha, staff=other)
    replies = await guardian.click(forged.pack())
    assert replies[-1].alert == NOT_AVAILABLE
    assert await bot_env.scalar("SELECT count(*) FROM message_threads") == 0
    assert await bot_env.scalar(
        "SELECT count(*) FROM audit_log WHERE details->>'what' = 'message_teacher'") == 1


async def test_another_familys_thread_is_not_readable_and_a_blocked_one_is_for_overseers(
    bot_env: BotEnv,
) -> None:
    student = bot_env.client(STUDENT)
    await _write(student, "Григорьев", "Можно пересдать?")
    thread = int(await bot_env.scalar("SELECT max(id) FROM message_threads"))
    guardian = bot_env.client(GUARDIAN)
    await guardian.send("/menu")
    for action in (MsgAction.OPEN, MsgAction.REPLY, MsgAction.BLOCK):
        replies = await guardian.click(MsgCb(action, th=thread, on=True).pack())
        assert replies[-1].alert == NOT_AVAILABLE, action
    # Not blocked: the class teacher does not read another teacher's thread.
    head = bot_env.client(CLASS_TEACHER)
    await head.send("/menu")
    assert (await head.click(MsgCb(MsgAction.OPEN, th=thread).pack()))[-1].alert \
        == NOT_AVAILABLE

    teacher = bot_env.client(MATH_TEACHER)
    await teacher.send("/menu")
    await teacher.press("💬 Сообщения")
    await teacher.press("💬 Артём Ковалёв, 5А (1)")
    await teacher.press("⛔ Закрыть переписку")
    assert "⛔ Переписка закрыта учителем." in (teacher.last_text or "")

    for overseer in (head, bot_env.client(ADMIN)):
        await overseer.send("/menu")
        await overseer.press("💬 Сообщения")
        await overseer.press("⛔ Артём Ковалёв, 5А — Григорьев Павел Сергеевич")
        assert "Можно пересдать?" in (overseer.last_text or "")
        assert not any("Написать" in text or "Закрыть" in text
                       for text, _ in overseer.buttons())  # read only
    # The student can no longer write into it.
    await student.send("/menu")
    await student.press("✉️ Написать учителю")
    await student.press("✍️ Григорьев")
    await student.send("Ну пожалуйста")
    assert student.last_text == "Учитель закрыл эту переписку."
    assert await bot_env.scalar("SELECT count(*) FROM thread_messages") == 1


async def test_flood_limit_and_any_command_cancels_composing(bot_env: BotEnv) -> None:
    guardian = bot_env.client(GUARDIAN)
    await guardian.send("/menu")
    await guardian.press("✉️ Написать учителю")
    await guardian.press("✍️ Григорьев")
    await guardian.send("/marks")  # a command: composing stops, the command is answered
    assert "Сообщение" not in (guardian.last_text or "")
    await guardian.send("просто текст")
    assert await bot_env.scalar("SELECT count(*) FROM thread_messages") == 0

    for n in range(messages.FLOOD_LIMIT):
        await _write(guardian, "Григорьев", f"Вопрос {n}")
    await _write(guardian, "Григорьев", "Ещё один")
    assert guardian.last_text == "Слишком много сообщений подряд. Попробуйте через несколько минут."
    assert await bot_env.scalar("SELECT count(*) FROM thread_messages") == messages.FLOOD_LIMIT
    too_long = "я" * (messages.MAX_TEXT + 1)
    with clock.frozen(clock.now() + dt.timedelta(hours=1)):
        await _write(guardian, "Григорьев", too_long)
    assert (guardian.last_text or "").startswith("Слишком длинное сообщение: не больше 2")


async def test_office_hours_setting_and_a_document_relayed_by_file_id(bot_env: BotEnv) -> None:
    teacher = bot_env.client(MATH_TEACHER)
    await teacher.send("/menu")
    await teacher.press("💬 Сообщения")
    await teacher.press("🕘 Часы приёма сообщений")
    assert "08:00–18:00" in (teacher.last_text or "")
    await teacher.press("10:00–19:00")
    assert "10:00–19:00" in (teacher.last_text or "")
    assert ("✅ 10:00–19:00", "oh:10-19") in teacher.buttons()

    guardian = bot_env.client(GUARDIAN, language_code="en")
    await guardian.send("/settings")
    await guardian.press("🇬🇧 English")
    early = dt.datetime(2026, 11, 24, 9, 30, tzinfo=MOSCOW)
    with clock.frozen(early):
        await guardian.send("/menu")
        await guardian.press("✉️ Write to a teacher")
        await guardian.press("✍️ Григорьев")
        await guardian._send_message(
            document=Document(file_id="user-doc-5", file_unique_id="ud5",
                              file_name="справка.pdf"), caption="Справка")
    assert "24.11 10:00" in (guardian.last_text or "")
    assert "✅ Message sent." in (guardian.last_text or "")
    seen = len(bot_env.session.sent_to(MATH_TEACHER))
    await _deliver(bot_env, early + dt.timedelta(minutes=10))
    assert _new(bot_env, MATH_TEACHER, seen) == []
    await _deliver(bot_env, early + dt.timedelta(minutes=31))
    [relayed] = _new(bot_env, MATH_TEACHER, seen)
    assert relayed.document is not None and relayed.document.file_id == "user-doc-5"
    assert (relayed.caption or "").startswith("✉️ Сообщение от родителя: Михаил Петров, 5А")


def test_a_relayed_caption_fits_telegrams_limit_and_is_never_markup() -> None:
    from screens.i18n import translator
    from screens.pushes import CAPTION_LIMIT, PushRow, compose
    from services.push_events import ThreadMessageEvent

    event = ThreadMessageEvent(1, 2, "staff", "<i>" * 700, "Григорьев П. С.", "photo",
                               "file-9")
    for locale in ("ru", "en"):
        [push] = compose([PushRow(5, event, 1, clock.now())], translator(locale))
        assert push.media == ("photo", "file-9") and push.row_ids == (5,)
        assert len(push.text) <= CAPTION_LIMIT
        assert "<i>" not in push.text.replace("<i>Чтобы", "").replace("<i>To answer", "")
        assert "&lt;i&gt;" in push.text


async def test_a_muted_thread_stores_but_does_not_push_and_leaving_stops_composing(
    bot_env: BotEnv,
) -> None:
    guardian, teacher = bot_env.client(GUARDIAN), bot_env.client(MATH_TEACHER)
    await _write(guardian, "Григорьев", "Первое")
    await teacher.send("/menu")
    await teacher.press("💬 Сообщения")
    await teacher.press("💬 Михаил Петров, 5А (1)")
    await teacher.press("🔕 Без уведомлений")
    assert any(text == "🔔 С уведомлениями" for text, _ in teacher.buttons())
    await _write(guardian, "Григорьев", "Второе")
    assert await bot_env.scalar("SELECT count(*) FROM thread_messages") == 2
    assert await bot_env.scalar(
        "SELECT count(*) FROM notifications WHERE kind = 'message'") == 1

    # Composing, then pressing a menu button: the next text is not relayed.
    await guardian.send("/menu")
    await guardian.press("✉️ Написать учителю")
    await guardian.press("✍️ Григорьев")
    await guardian.press("✖️ Отмена")
    await guardian.press("🏠 Меню")
    await guardian.press("✉️ Написать учителю")
    await guardian.press("✍️ Григорьев")
    await guardian.click(MenuCb(MenuArea.MENU).pack())
    await guardian.send("не для учителя")
    assert await bot_env.scalar("SELECT count(*) FROM thread_messages") == 2


def test_a_long_thread_shows_its_newest_messages_whole_within_one_message() -> None:
    from screens import messages as screens
    from screens.i18n import translator
    from services.messages import Line, ThreadInfo, ThreadView

    info = ThreadInfo(1, 2, "Михаил Петров", "5А", 3, "Григорьев Павел Сергеевич", 4,
                      muted=False, blocked=False)
    lines = tuple(Line(n % 2 == 0, f"{n}<" + "я" * (messages.MAX_TEXT - 3), None,
                       clock.now()) for n in range(messages.HISTORY))
    for locale in ("ru", "en"):
        screen = screens.thread(translator(locale), ThreadView(info, "staff", lines))
        assert len(screen.text) <= 4096
        assert f"{messages.HISTORY - 1}&lt;" in screen.text  # the newest is there, escaped
        assert "0&lt;" not in screen.text  # the oldest did not fit
        assert "<" not in screen.text.replace("<b>", "").replace("</b>", "")
