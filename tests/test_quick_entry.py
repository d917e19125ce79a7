"""Quick entry through the real Dispatcher: a teacher takes today's register of their
lesson (toggles, one save), sets its topic and homework; the families of the absent are
told, nobody else; nothing changes for a lesson the teacher does not teach."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text

from bot.delivery import DeliveryWorker
from handlers.menu import MenuCb
from screens.quick_entry import QuickCb, QuickStep
from services.models import School
from tests.conftest import DEMO_TODAY, BotEnv
from tests.test_marks_views import denied_count, rows
from tests.test_staff_views import staff_id

MATHS = 2002  # Григорьев: Математика in 5А
CLASS_TEACHER = 2001  # Орлова: Русский язык in 5А
GUARDIAN = 1001  # guardian of a 5А child


async def allow(env: BotEnv, on: bool = True) -> None:
    async with env.db.sessionmaker.begin() as s:
        await s.execute(text("UPDATE schools SET quick_entry = :on "
                             "WHERE name = 'Школа № 17'"), {"on": on})


async def lesson_of(env: BotEnv, telegram_id: int, subject: str = "Математика",
                    day: Any = DEMO_TODAY) -> Any:
    found = await rows(
        env, "SELECT l.id, l.slot FROM lessons l JOIN subjects s ON s.id = l.subject_id "
        "JOIN classes c ON c.id = l.class_id WHERE c.name = '5А' AND s.name = :s "
        "AND l.date = :d AND l.teacher_id = :t AND l.substitute_id IS NULL "
        "AND l.status <> 'cancelled' ORDER BY l.slot", s=subject, d=day,
        t=await staff_id(env, telegram_id))
    return found[0]


async def child_of(env: BotEnv, telegram_id: int = GUARDIAN) -> Any:
    return (await rows(
        env, "SELECT st.id, st.last_name, st.first_name FROM account_links l "
        "JOIN accounts a ON a.id = l.account_id JOIN students st ON st.id = l.student_id "
        "JOIN classes c ON c.id = st.class_id WHERE a.telegram_id = :t AND c.name = '5А' "
        "AND l.revoked_at IS NULL", t=telegram_id))[0]


async def journal_state(env: BotEnv) -> tuple[Any, ...]:
    return (await env.scalar("SELECT count(*) FROM attendance"),
            await env.scalar("SELECT count(*) FROM homework"),
            await env.scalar("SELECT count(*) FROM notifications"),
            await env.scalar("SELECT count(*) FROM lessons WHERE attendance_taken_at "
                             "IS NOT NULL"),
            await env.scalar("SELECT string_agg(coalesce(topic, ''), '|' ORDER BY id) "
                             "FROM lessons WHERE date = :d", d=DEMO_TODAY))


async def test_off_by_default_nothing_offered_nothing_done(bot_env: BotEnv) -> None:
    await allow(bot_env, False)  # the demo school has it on; a new school has it off
    async with bot_env.db.sessionmaker.begin() as s:
        s.add(School(name="Новая школа"))
        await s.flush()
        assert not await s.scalar(select(School.quick_entry).where(
            School.name == "Новая школа"))
    teacher = bot_env.client(MATHS)
    await teacher.send("/menu")
    assert not any("Быстрый ввод" in b[0] for b in teacher.buttons())
    lesson = await lesson_of(bot_env, MATHS)
    before = await journal_state(bot_env)
    denied = await denied_count(bot_env, MATHS)
    for data in (MenuCb(area="quick").pack(), QuickCb(QuickStep.OPEN, lesson.id).pack(),
                 QuickCb(QuickStep.SAVE, lesson.id).pack()):
        replies = await teacher.click(data)
        assert [r.alert for r in replies if r.alert] == ["Это недоступно."]
    assert await journal_state(bot_env) == before
    assert await denied_count(bot_env, MATHS) == denied + 3


async def test_register_pushes_the_absence_to_that_family_only(bot_env: BotEnv) -> None:
    await allow(bot_env)
    lesson = await lesson_of(bot_env, MATHS)
    child = await child_of(bot_env)
    teacher = bot_env.client(MATHS)
    await teacher.send("/menu")
    await teacher.press("Быстрый ввод")
    assert "ваши уроки сегодня" in teacher.last_text
    await teacher.press(f"{lesson.slot}. 5А · Математика")
    assert "Все присутствуют" in teacher.last_text
    name = f"{child.last_name} {child.first_name}"
    await teacher.press(f"✅ {name}")
    assert any(b[0] == f"❌ {name}" for b in teacher.buttons())
    await teacher.press("Сохранить (нет: 1)")
    assert "Посещаемость сохранена: отсутствуют 1" in teacher.last_text

    stored = await rows(bot_env, "SELECT student_id, kind, entered_via FROM attendance "
                        "WHERE lesson_id = :l", l=lesson.id)
    assert [(r.student_id, r.kind, r.entered_via) for r in stored] == [
        (child.id, "absent", "bot")]
    assert await bot_env.scalar("SELECT attendance_taken_at IS NOT NULL AND entered_via = "
                                "'bot' FROM lessons WHERE id = :l", l=lesson.id)
    pushed = await rows(bot_env, "SELECT n.student_id, n.account_id FROM notifications n "
                        "WHERE n.kind = 'absence' AND n.dedupe_key LIKE 'absence:%'")
    family = {r.account_id for r in await rows(
        bot_env, "SELECT account_id FROM account_links WHERE student_id = :s AND "
        "revoked_at IS NULL", s=child.id)}
    assert pushed and {r.student_id for r in pushed} == {child.id}
    assert {r.account_id for r in pushed} <= family

    bot_env.session.clear()
    await DeliveryWorker(bot_env.bot, bot_env.db.sessionmaker).run_once()
    got = bot_env.session.sent_to(GUARDIAN)
    assert any("посещаемость" in (m.text or "") and "Математика" in (m.text or "")
               and "отсутствовал" in (m.text or "") for m in got)
    assert not bot_env.session.sent_to(1002) or all(
        child.first_name in (m.text or "") for m in bot_env.session.sent_to(1002))

    # Saving the same register again tells nobody twice; marking them present removes it.
    before = await bot_env.scalar("SELECT count(*) FROM notifications")
    await teacher.press("Сохранить (нет: 1)")
    assert await bot_env.scalar("SELECT count(*) FROM notifications") == before
    await teacher.press(f"❌ {name}")
    await teacher.press("Сохранить (нет: 0)")
    assert "все присутствовали" in teacher.last_text
    assert await bot_env.scalar("SELECT count(*) FROM attendance WHERE lesson_id = :l",
                                l=lesson.id) == 0


async def test_nothing_changes_for_a_lesson_the_teacher_does_not_teach(
        bot_env: BotEnv) -> None:
    await allow(bot_env)
    mine = await lesson_of(bot_env, MATHS)
    theirs = await lesson_of(bot_env, CLASS_TEACHER, "Русский язык")
    child = await child_of(bot_env)
    stranger = (await rows(bot_env, "SELECT st.id FROM students st JOIN classes c ON "
                           "c.id = st.class_id WHERE c.name = '7Б' LIMIT 1"))[0].id
    past = (await rows(bot_env, "SELECT l.id FROM lessons l WHERE l.teacher_id = :t AND "
                       "l.date < :d ORDER BY l.date DESC LIMIT 1",
                       t=await staff_id(bot_env, MATHS), d=DEMO_TODAY))[0].id
    teacher = bot_env.client(MATHS)
    await teacher.send("/menu")
    before = await journal_state(bot_env)
    denied = await denied_count(bot_env, MATHS)
    forged = [QuickCb(QuickStep.OPEN, theirs.id), QuickCb(QuickStep.TOGGLE, theirs.id, child.id),
              QuickCb(QuickStep.SAVE, theirs.id), QuickCb(QuickStep.TOPIC, theirs.id),
              QuickCb(QuickStep.HOMEWORK, theirs.id), QuickCb(QuickStep.SAVE, past),
              QuickCb(QuickStep.TOGGLE, mine.id, stranger), QuickCb(QuickStep.OPEN, 0)]
    for payload in forged:
        replies = await teacher.click(payload.pack())
        assert [r.alert for r in replies if r.alert] == ["Это недоступно."], payload
    # A typed topic after a refused "topic" press is no topic for anyone.
    await teacher.send("Дроби")
    assert await journal_state(bot_env) == before
    assert await denied_count(bot_env, MATHS) == denied + len(forged)


async def test_topic_and_homework_from_the_bot(bot_env: BotEnv) -> None:
    await allow(bot_env)
    lesson = await lesson_of(bot_env, MATHS)
    teacher = bot_env.client(MATHS)
    await teacher.click(QuickCb(QuickStep.OPEN, lesson.id).pack())
    await teacher.press("Тема")
    await teacher.send("x" * 301)
    assert "Слишком длинно" in teacher.last_text
    await teacher.send("Сложение <дробей> & вычитание")
    # Escaped in the HTML reply, so it reads as typed.
    assert "тема сохранена — Сложение <дробей> & вычитание" in teacher.last_text
    assert await bot_env.scalar("SELECT topic || ':' || entered_via FROM lessons WHERE "
                                "id = :l", l=lesson.id) == "Сложение <дробей> & вычитание:bot"

    await teacher.press("К уроку")
    await teacher.press("Домашнее задание")
    bot_env.session.clear()
    await teacher.send("№ 125, 126")
    assert "домашнее задание сохранено, срок" in teacher.last_text
    hw = (await rows(bot_env, "SELECT id, text, entered_via, due_on, lesson_id FROM homework "
                     "WHERE lesson_id = :l AND entered_via IS NOT NULL", l=lesson.id))
    assert [(h.text, h.entered_via) for h in hw] == [("№ 125, 126", "bot")]
    assert hw[0].due_on > DEMO_TODAY
    await DeliveryWorker(bot_env.bot, bot_env.db.sessionmaker).run_once()
    assert any("№ 125, 126" in (m.text or "") for m in bot_env.session.sent_to(GUARDIAN))
    # Sent again, it corrects the same homework (a code-shaped text is homework here).
    await teacher.click(QuickCb(QuickStep.HOMEWORK, lesson.id).pack())
    await teacher.send("ABCDE 23456")
    assert await bot_env.scalar("SELECT string_agg(text, '|') FROM homework WHERE "
                                "lesson_id = :l AND entered_via = 'bot'",
                                l=lesson.id) == "ABCDE 23456"


async def test_quick_entry_in_english(bot_env: BotEnv) -> None:
    await allow(bot_env)
    lesson = await lesson_of(bot_env, MATHS)
    teacher = bot_env.client(MATHS, language_code="en")
    await teacher.send("/menu")
    if not any("Quick entry" in b[0] for b in teacher.buttons()):
        await teacher.press("Настройки")
        await teacher.press("English")
        await teacher.click(MenuCb(area="menu").pack())
    await teacher.press("Quick entry")
    assert "your lessons today" in teacher.last_text
    await teacher.click(QuickCb(QuickStep.OPEN, lesson.id).pack())
    assert "Everyone is present" in teacher.last_text
    await teacher.press("Save (away: 0)")
    assert "Register saved: everyone was present" in teacher.last_text
