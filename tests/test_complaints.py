"""Complaints through the real Dispatcher: filing (number, date, deadline at once), the
admins' lists, taking, answering and rejecting, the author pushed each change, the daily
escalation of overdue ones to the director, and the working-day deadline."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bot.delivery import DeliveryWorker
from services import clock, complaints, scheduled_jobs
from services.calendar import PeriodInfo
from services.models import PeriodKind
from services.working_days import WorkingDays, is_public_working_day
from tests.conftest import BotEnv

GUARDIAN, STUDENT, CLASS_TEACHER, ADMIN, DIRECTOR = 1001, 1002, 2001, 2003, 2005
MOSCOW = ZoneInfo("Europe/Moscow")
NOT_AVAILABLE = "Это недоступно."


async def _deliver(env: BotEnv, *chats: int) -> dict[int, list[Any]]:
    before = {c: len(env.session.sent_to(c)) for c in chats}
    await DeliveryWorker(env.bot, env.db.sessionmaker).run_once()
    return {c: env.session.sent_to(c)[before[c]:] for c in chats}


def test_the_deadline_skips_weekends_public_and_school_holidays() -> None:
    # Friday 30 October 2026; 4 November is National Unity Day.
    registered = dt.date(2026, 10, 30)
    assert not is_public_working_day(dt.date(2026, 11, 4))
    calendar = WorkingDays()
    assert complaints.deadline(registered, 3, calendar) == dt.date(2026, 11, 5)
    autumn = PeriodInfo(1, PeriodKind.HOLIDAYS, 1, "осенние", dt.date(2026, 11, 2),
                        dt.date(2026, 11, 3))
    with_holidays = WorkingDays((autumn,))
    # 31.10–1.11 weekend, 2–3.11 school holidays, 4.11 public holiday: 5, 6, 9 November.
    assert complaints.deadline(registered, 3, with_holidays) == dt.date(2026, 11, 9)
    assert complaints.deadline(registered, 1, with_holidays) == dt.date(2026, 11, 5)


async def _file(client: Any, topic: str, body: str) -> str:
    await client.send("/menu")
    await client.press("📝 Обращения")
    await client.press("✏️ Новое обращение")
    await client.press(topic)
    await client.send(body)
    return client.last_text or ""


async def test_a_complaint_s_whole_life_in_russian(bot_env: BotEnv) -> None:
    guardian = bot_env.client(GUARDIAN)
    reply = await _file(guardian, "🍽 Питание", "Холодный <обед> в столовой")
    number = await bot_env.scalar("SELECT max(id) FROM complaints")
    assert f"Номер: {number}, дата: 23.11.2026." in reply
    # 15 working days from Monday 23 November 2026.
    assert "не позднее 14.12.2026" in reply

    admin = bot_env.client(ADMIN)
    [filed] = (await _deliver(bot_env, ADMIN))[ADMIN]
    assert filed.html_text.startswith(f"📥 <b>Новое обращение № {number}</b>")
    assert "Холодный &lt;обед&gt;" in filed.html_text

    await admin.send("/menu")
    await admin.press("📥 Обращения")
    await admin.press("🆕 Новые")
    assert "Холодный &lt;обед&gt;" in (admin.last_message.html_text or "")  # type: ignore[union-attr]
    await admin.press(f"№ {number}")
    await admin.press("🛠 Взять в работу")
    assert "Статус: в работе" in (admin.last_text or "")
    [taken] = (await _deliver(bot_env, GUARDIAN))[GUARDIAN]
    assert taken.html_text == f"📝 <b>Обращение № {number}</b>: в работе"

    await admin.press("✅ Ответить")
    await admin.send("Поставщик заменён, спасибо")
    assert "Статус: дан ответ" in (admin.last_text or "")
    [answered] = (await _deliver(bot_env, GUARDIAN))[GUARDIAN]
    assert answered.html_text.startswith(f"📝 <b>Обращение № {number}</b>: дан ответ")
    assert "Поставщик заменён" in answered.html_text

    await guardian.send("/menu")
    await guardian.press("📝 Обращения")
    assert f"№ {number} от 23.11, 🍽 Питание: дан ответ" in (guardian.last_text or "")
    # Closed: no more actions on it; a forged answer is refused.
    await admin.press("📥 К списку")
    replies = await admin.click(f"cp:a:{number}:0")
    assert replies[-1].alert == NOT_AVAILABLE


async def test_a_rejected_complaint_in_english(bot_env: BotEnv) -> None:
    student = bot_env.client(STUDENT)
    await student.send("/settings")
    await student.press("🇬🇧 English")
    await student.send("/menu")
    await student.press("📝 Complaints")
    await student.press("✏️ New complaint")
    await student.press("📎 Other")
    await student.send("x" * 2001)
    assert "2" in (student.last_text or "") and "000" in (student.last_text or "")
    await student.send("Too much homework")
    assert "The complaint is registered." in (student.last_text or "")
    number = await bot_env.scalar("SELECT max(id) FROM complaints")

    admin = bot_env.client(ADMIN)
    await admin.send("/settings")
    await admin.press("🇬🇧 English")
    await admin.send("/menu")
    await admin.press("📥 Complaints")
    await admin.press("🆕 New")
    await admin.press(f"No. {number}")
    await admin.press("🚫 Reject")
    await admin.send("Not a complaint about the school's service")
    assert "Status: rejected" in (admin.last_text or "")
    pushes = (await _deliver(bot_env, STUDENT))[STUDENT]
    assert pushes[-1].html_text.startswith(f"📝 <b>Complaint No. {number}</b>: rejected")
    assert "Not a complaint" in pushes[-1].html_text


async def _link_director(env: BotEnv) -> None:
    async with env.db.sessionmaker.begin() as s:
        staff = await s.scalar(text(
            "SELECT st.id FROM staff st JOIN staff_roles r ON r.staff_id = st.id "
            "JOIN schools sc ON sc.id = st.school_id "
            "WHERE r.role = 'director' AND sc.external_id = 'demo-school'"))
        school = await s.scalar(text("SELECT school_id FROM staff WHERE id = :s"), {"s": staff})
        account = await s.scalar(text(
            "INSERT INTO accounts (telegram_id, chat_id, locale, is_active) "
            "VALUES (:t, :t, 'ru', true) RETURNING id"), {"t": DIRECTOR})
        await s.execute(text(
            "INSERT INTO account_links (account_id, kind, school_id, staff_id, consent_pending)"
            " VALUES (:a, 'staff', :sc, :s, false)"), {"a": account, "sc": school, "s": staff})


async def _run_escalation(env: BotEnv, at: dt.datetime) -> int:
    with clock.frozen(at):
        async with env.db.sessionmaker.begin() as s:
            runs = [r for r in await scheduled_jobs.due_runs(s, at)
                    if r.job == "complaints-overdue"]
        total = 0
        for run in runs:
            async with env.db.sessionmaker.begin() as s:
                total += await run.work(s)
        return total


async def test_overdue_complaints_are_escalated_daily_until_answered(bot_env: BotEnv) -> None:
    await _link_director(bot_env)
    await _file(bot_env.client(GUARDIAN), "🛡 Безопасность", "Сломан забор")
    number = await bot_env.scalar("SELECT max(id) FROM complaints")
    # The last day to answer (14 December) is not overdue yet; the next morning it is.
    assert await _run_escalation(bot_env, dt.datetime(2026, 12, 14, 9, 5, tzinfo=MOSCOW)) == 0
    day1 = dt.datetime(2026, 12, 15, 9, 5, tzinfo=MOSCOW)
    assert await _run_escalation(bot_env, day1) == 1
    assert await _run_escalation(bot_env, day1) == 0  # once a day
    with clock.frozen(day1):
        [push] = (await _deliver(bot_env, DIRECTOR))[DIRECTOR]
    # The director also handles complaints: the filing and the escalation come together.
    assert f"⏰ <b>Просрочено обращение № {number}</b>: срок ответа был 14 декабря" in (
        push.html_text)
    day2 = dt.datetime(2026, 12, 16, 9, 5, tzinfo=MOSCOW)
    assert await _run_escalation(bot_env, day2) == 1
    # The admin's overdue list shows it; once answered, escalation stops.
    admin = bot_env.client(ADMIN)
    with clock.frozen(day2):
        await admin.send("/menu")
        await admin.press("📥 Обращения")
        await admin.press("⏰ Просроченные")
        assert "⏰ просрочено" in (admin.last_text or "")
        await admin.press(f"№ {number}")
        await admin.press("✅ Ответить")
        await admin.send("Забор починили")
    assert await _run_escalation(bot_env, dt.datetime(2026, 12, 17, 9, 5,
                                                      tzinfo=MOSCOW)) == 0


async def test_refused_complaint_actions(bot_env: BotEnv) -> None:
    await _file(bot_env.client(GUARDIAN), "📎 Другое", "Вопрос")
    number = await bot_env.scalar("SELECT max(id) FROM complaints")
    # A class teacher is not one of those who handle complaints; a family neither.
    for user, packed in ((CLASS_TEACHER, f"cp:o:{number}:0"), (GUARDIAN, f"cp:t:{number}:0"),
                         (STUDENT, "cp:l:0:2"), (ADMIN, "cp:c:0:9")):
        client = bot_env.client(user)
        await client.send("/menu")
        replies = await client.click(packed)
        assert replies[-1].alert == NOT_AVAILABLE, (user, packed)
    assert await bot_env.scalar("SELECT status::text FROM complaints WHERE id = :n",
                                n=number) == "new"


async def test_a_photo_filed_with_a_complaint_reaches_the_admin(bot_env: BotEnv) -> None:
    guardian = bot_env.client(GUARDIAN)
    await guardian.send("/menu")
    await guardian.press("📝 Обращения")
    await guardian.press("✏️ Новое обращение")
    await guardian.press("🛡 Безопасность")
    await guardian.send_photo(caption="Разбитое окно в классе")
    assert "Обращение зарегистрировано" in (guardian.last_text or "")
    number = await bot_env.scalar("SELECT max(id) FROM complaints")
    file_id = await bot_env.scalar("SELECT attachment_file_id FROM complaints")
    assert file_id and await bot_env.scalar("SELECT text FROM complaints") == (
        "Разбитое окно в классе")
    admin = bot_env.client(ADMIN)
    await admin.send("/menu")
    await admin.press("📥 Обращения")
    await admin.press("🆕 Новые")
    await admin.press(f"№ {number}")
    replies = await admin.press("📎 Фотография")
    [sent] = [r for r in replies if r.method == "sendPhoto"]
    assert sent.call.photo == file_id
    assert sent.message.caption == f"Вложение к обращению № {number}"


async def test_a_deadline_across_the_winter_holidays_and_new_year(bot_env: BotEnv) -> None:
    """Filed before the winter holidays: the school's holidays and the January public
    holidays are not counted (checked against the plain rule, day by day)."""
    import holidays as ru_holidays

    row = await bot_env.scalar(
        "SELECT p.starts_on::text || '|' || p.ends_on::text FROM periods p "
        "JOIN schools s ON s.id = p.school_id WHERE s.external_id = 'demo-school' "
        "AND p.kind = 'holidays' AND p.name = 'Зимние каникулы'")
    start, end = (dt.date.fromisoformat(x) for x in row.split("|"))
    filed = dt.date(2026, 12, 21)
    public = ru_holidays.country_holidays("RU", years=[2026, 2027])
    day, left = filed, 15
    while left:
        day += dt.timedelta(days=1)
        if public.is_working_day(day) and not start <= day <= end:
            left -= 1
    assert day > end  # the deadline falls after the holidays
    with clock.frozen(dt.datetime(2026, 12, 21, 10, 0, tzinfo=MOSCOW)):
        reply = await _file(bot_env.client(GUARDIAN), "📚 Обучение", "Нет учебников")
    assert f"не позднее {day:%d.%m.%Y}" in reply
