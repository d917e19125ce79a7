"""The class teacher's class view lists every student with their family's link and
consent state; nobody else's class view does."""

from __future__ import annotations

from sqlalchemy import text

from handlers.menu import MenuCb
from services.consent_report import class_consent
from tests.conftest import BotEnv
from tests.test_staff_views import CLASS_TEACHER, MATHS, class_id, open_menu

GUARDIAN = 1001  # demo: linked guardian of a 5А child


async def test_class_teacher_sees_each_students_link_and_consent(bot_env: BotEnv) -> None:
    five_a = await class_id(bot_env, "5А")
    async with bot_env.db.sessionmaker() as s:
        picture = await class_consent(s, five_a)
        child = (await s.execute(text(
            "SELECT st.last_name || ' ' || st.first_name AS name, "
            "(SELECT count(*) FROM guardian_students gs WHERE gs.student_id = st.id) AS n "
            "FROM account_links l JOIN accounts a ON a.id = l.account_id "
            "JOIN students st ON st.id = l.student_id WHERE a.telegram_id = :t "
            "AND l.kind = 'guardian' AND l.revoked_at IS NULL AND st.class_id = :c"),
            {"t": GUARDIAN, "c": five_a})).one()
    client = await open_menu(bot_env, CLASS_TEACHER)
    await client.press("Классы")
    await client.press("5А")
    view = client.last_text
    assert "✅ согласие · ❌ отказ, выписка на бумаге · ⏳ ждём согласия" in view
    lines = view.splitlines()
    icons = {"consented": "✅", "refused": "❌", "waiting": "⏳"}
    for student in picture.students:
        found = [line for line in lines if student.name in line]
        assert len(found) == 1, student.name
        assert found[0].startswith(icons[student.status.value] + " ")
        linked = sum(p.linked for p in student.people)
        if student.people:
            assert f"родители в боте: {linked} из {len(student.people)}" in found[0]
        assert ("ученик в боте" in found[0]) == (student.own_link.value != "none")
    mine = next(line for line in lines if child.name in line)
    assert mine.startswith("✅ ") and f"родители в боте: 1 из {child.n}" in mine
    # The full picture is one button away.
    await client.press("Согласия")
    assert "5А" in client.last_text and "В боте:" in client.last_text


async def test_subject_teacher_sees_no_consents_and_english_works(bot_env: BotEnv) -> None:
    maths = await open_menu(bot_env, MATHS)
    await maths.press("Классы")
    await maths.press("5А")
    assert "родители в боте" not in maths.last_text
    assert not any("Согласия" in b[0] for b in maths.buttons())

    teacher = bot_env.client(CLASS_TEACHER, language_code="en")
    await teacher.send("/menu")
    await teacher.press("Settings" if any("Settings" in b[0] for b in teacher.buttons())
                        else "Настройки")
    await teacher.press("English")
    await teacher.click(MenuCb(area="classes").pack())
    await teacher.press("5А")
    assert "Students: ✅ consent" in teacher.last_text
    assert "parents in the bot: 1 of" in teacher.last_text
