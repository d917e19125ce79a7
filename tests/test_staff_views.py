"""Teacher views through the real Dispatcher: today's lessons, the classes each role may
open, a class's marks table in one subject, a student's summary, and refusals."""

from __future__ import annotations

from typing import Any

from handlers.menu import MenuCb
from handlers.staff import StaffCb
from tests.conftest import DEMO_TODAY, BotEnv
from tests.test_marks_views import denied_count, rows, ru_number, to_english, weighted

CLASS_TEACHER = 2001  # Орлова: class teacher of 5А, teaches Russian
MATHS = 2002  # Григорьев: Математика in 5А, Алгебра and Геометрия in 7Б
ADMIN = 2003
INSPECTOR = 2004
GUARDIAN = 1001


async def staff_id(env: BotEnv, telegram_id: int) -> int:
    return int(await env.scalar(
        "SELECT l.staff_id FROM account_links l JOIN accounts a ON a.id = l.account_id "
        "WHERE a.telegram_id = :t AND l.kind = 'staff'", t=telegram_id))


async def class_id(env: BotEnv, name: str, school: str = "Школа № 17") -> int:
    return int(await env.scalar(
        "SELECT c.id FROM classes c JOIN schools s ON s.id = c.school_id "
        "WHERE c.name = :n AND s.name = :s", n=name, s=school))


async def subject_id(env: BotEnv, name: str, school: str = "Школа № 17") -> int:
    return int(await env.scalar(
        "SELECT x.id FROM subjects x JOIN schools s ON s.id = x.school_id "
        "WHERE x.name = :n AND s.name = :s", n=name, s=school))


async def open_menu(env: BotEnv, telegram_id: int) -> Any:
    client = env.client(telegram_id)
    await client.send("/menu")
    return client


# --- today --------------------------------------------------------------------------------


async def test_today_lists_the_teachers_lessons_with_times_and_rooms(bot_env: BotEnv) -> None:
    me = await staff_id(bot_env, MATHS)
    lessons = await rows(
        bot_env, "SELECT l.slot, c.name AS klass, s.name AS subject, l.room, b.starts_at, "
        "b.ends_at FROM lessons l JOIN classes c ON c.id = l.class_id "
        "JOIN subjects s ON s.id = l.subject_id JOIN bell_slots b "
        "ON b.school_id = l.school_id AND b.slot = l.slot "
        "WHERE l.date = :d AND (l.teacher_id = :me OR l.substitute_id = :me) ORDER BY l.slot",
        d=DEMO_TODAY, me=me)
    assert lessons
    client = await open_menu(bot_env, MATHS)
    await client.press("Мои уроки сегодня")
    shown = client.last_text.splitlines()
    assert shown[0] == "🗓 Мои уроки: Пн, 23 ноября"
    for x in lessons:
        line = next(s for s in shown if s.startswith(f"{x.slot}. "))
        assert (f"{x.starts_at:%H:%M}–{x.ends_at:%H:%M} · {x.klass} · {x.subject}" in line
                and f"каб. {x.room}" in line), line

    # An admin without lessons gets the school's day (issue 13: no empty "my lessons");
    # and a guardian has no teacher views at all.
    admin = await open_menu(bot_env, ADMIN)
    await admin.press("Школа сегодня")
    assert admin.last_text.startswith("🏫 Школа № 17: Пн, 23 ноября")
    guardian = await open_menu(bot_env, GUARDIAN)
    before = await denied_count(bot_env, GUARDIAN)
    replies = await guardian.click(MenuCb(area="today").pack())
    assert [r.alert for r in replies if r.alert] == ["Это недоступно."]
    await guardian.click(MenuCb(area="classes").pack())
    assert await denied_count(bot_env, GUARDIAN) == before + 2


# --- classes ------------------------------------------------------------------------------


async def test_subject_teacher_sees_only_their_subject(bot_env: BotEnv) -> None:
    five_a = await class_id(bot_env, "5А")
    client = await open_menu(bot_env, MATHS)
    await client.press("Классы")
    assert [b[0] for b in client.buttons()][:-1] == ["5А", "7Б"]
    await client.press("5А")
    subjects = [b[0] for b in client.buttons() if b[1].startswith("sv:t:")]
    assert subjects == ["Математика"]

    # The table: each student's marks in a row and the weighted average, from the DB.
    await client.press("Математика")
    period = (await rows(bot_env, "SELECT starts_on, ends_on FROM periods WHERE kind = "
                         "'quarter' AND :d BETWEEN starts_on AND ends_on AND school_id = "
                         "(SELECT school_id FROM classes WHERE id = :c)",
                         d=DEMO_TODAY, c=five_a))[0]
    found = await rows(
        bot_env, "SELECT st.id, st.last_name, st.first_name, m.value, m.weight FROM marks m "
        "JOIN students st ON st.id = m.student_id JOIN subjects s ON s.id = m.subject_id "
        "WHERE st.class_id = :c AND s.name = 'Математика' AND m.deleted_at IS NULL "
        "AND m.date BETWEEN :a AND :b ORDER BY m.date, m.entered_at, m.id",
        c=five_a, a=period.starts_on, b=period.ends_on)
    by_student: dict[int, list[Any]] = {}
    for r in found:
        by_student.setdefault(r.id, []).append(r)
    table = client.last_text
    assert table.startswith("🏫 5А · Математика, 2 четверть")
    for marks in by_student.values():
        first = marks[0]
        row = " ".join(str(m.value) for m in marks)
        avg = ru_number(weighted([(m.value, m.weight) for m in marks]))
        assert f"{first.last_name} {first.first_name[0]}.: {row} — {avg}" in table

    # The previous quarter is one button away; a period of the other school is refused.
    await client.press("◀️ 1 четверть")
    assert client.last_text.startswith("🏫 5А · Математика, 1 четверть")
    lyceum_period = int(await bot_env.scalar(
        "SELECT p.id FROM periods p JOIN schools s ON s.id = p.school_id "
        "WHERE s.name = 'Лицей № 5' AND p.kind = 'quarter' LIMIT 1"))
    maths = await subject_id(bot_env, "Математика")
    replies = await client.click(StaffCb(v="t", c=five_a, j=maths, d=lyceum_period).pack())
    assert [r.alert for r in replies if r.alert] == ["Это недоступно."]

    # Russian in 5А is not theirs: a forged button is refused and audited.
    russian = await subject_id(bot_env, "Русский язык")
    before = await denied_count(bot_env, MATHS)
    replies = await client.click(StaffCb(v="t", c=five_a, j=russian).pack())
    assert [r.alert for r in replies if r.alert] == ["Это недоступно."]
    assert "Русский язык" not in client.last_text
    assert await denied_count(bot_env, MATHS) == before + 1
    # Nor is a 1А class they do not teach, nor the lyceum's 5Л.
    for forged in (await class_id(bot_env, "1А"), await class_id(bot_env, "5Л", "Лицей № 5")):
        replies = await client.click(StaffCb(v="c", c=forged).pack())
        assert [r.alert for r in replies if r.alert] == ["Это недоступно."]

    # A student's summary shows only mathematics.
    await client.click(StaffCb(v="l", c=five_a).pack())
    await client.press(1)
    summary = client.last_text
    assert "Математика:" in summary and "Русский язык" not in summary


async def test_class_teacher_sees_their_class_with_every_subject(bot_env: BotEnv) -> None:
    client = await open_menu(bot_env, CLASS_TEACHER)
    await client.press("Классы")
    names = [b[0] for b in client.buttons()][:-1]
    assert "5А" in names and "1А" not in names
    await client.press("5А")
    curriculum = {r.name for r in await rows(
        bot_env, "SELECT s.name FROM curriculum c JOIN subjects s ON s.id = c.subject_id "
        "WHERE c.class_id = :c", c=await class_id(bot_env, "5А"))}
    assert {b[0] for b in client.buttons() if b[1].startswith("sv:t:")} == curriculum


async def test_admin_sees_every_class_of_their_school_only(bot_env: BotEnv) -> None:
    school17 = {r.id for r in await rows(
        bot_env, "SELECT c.id FROM classes c JOIN schools s ON s.id = c.school_id "
        "WHERE s.name = 'Школа № 17'")}
    client = await open_menu(bot_env, ADMIN)
    await client.press("Классы")
    opened = {int(b[1].split(":")[2]) for b in client.buttons() if b[1].startswith("sv:c:")}
    assert opened == school17
    lyceum_class = await class_id(bot_env, "5Л", "Лицей № 5")
    replies = await client.click(StaffCb(v="c", c=lyceum_class).pack())
    assert [r.alert for r in replies if r.alert] == ["Это недоступно."]
    lyceum_student = int(await bot_env.scalar("SELECT id FROM students WHERE class_id = :c "
                                              "LIMIT 1", c=lyceum_class))
    replies = await client.click(StaffCb(v="u", s=lyceum_student).pack())
    assert [r.alert for r in replies if r.alert] == ["Это недоступно."]
    # A first-grade class: no marks table, only the students.
    await client.click(StaffCb(v="c", c=await class_id(bot_env, "1А")).pack())
    assert "В 1 классе отметки не ставятся." in client.last_text
    assert not [b for b in client.buttons() if b[1].startswith("sv:t:")]


async def test_inspector_reads_and_the_read_is_audited(bot_env: BotEnv) -> None:
    five_a = await class_id(bot_env, "5А")
    client = await open_menu(bot_env, INSPECTOR)
    await client.press("Классы")
    await client.press("5А")
    await client.press("Ученики")
    first = (await rows(bot_env, "SELECT id, last_name, first_name FROM students "
                        "WHERE class_id = :c AND status = 'active' "
                        "ORDER BY last_name, first_name, id LIMIT 1", c=five_a))[0]
    await client.press(f"{first.last_name} {first.first_name[0]}.")
    summary = client.last_text
    assert summary.startswith(f"👤 {first.last_name} {first.first_name}, 5А — 2 четверть")
    absences = await bot_env.scalar(
        "SELECT count(*) FROM attendance a JOIN periods p ON a.date BETWEEN p.starts_on "
        "AND p.ends_on AND p.school_id = a.school_id WHERE a.student_id = :s AND "
        "p.kind = 'quarter' AND :d BETWEEN p.starts_on AND p.ends_on AND a.kind <> 'late'",
        s=first.id, d=DEMO_TODAY)
    assert f"Пропуски за период: {absences}" in summary
    audited = await bot_env.scalar(
        "SELECT count(*) FROM audit_log l JOIN accounts a ON a.id = l.account_id "
        "WHERE a.telegram_id = :t AND l.action = 'staff_read_student' AND l.student_id = :s "
        "AND l.details->>'purpose' = 'staff_summary'", t=INSPECTOR, s=first.id)
    assert audited == 1
    class_reads = await bot_env.scalar(
        "SELECT count(*) FROM audit_log l JOIN accounts a ON a.id = l.account_id "
        "WHERE a.telegram_id = :t AND l.action = 'staff_read_class'", t=INSPECTOR)
    assert class_reads >= 2  # the class, then its students


async def test_staff_views_in_english(bot_env: BotEnv) -> None:
    client = await to_english(bot_env, MATHS)
    await client.send("/menu")
    await client.click(MenuCb(area="today").pack())
    assert client.last_text.startswith("🗓 My lessons: Mon, 23 November")
    assert "room 208" in client.last_text
    await client.click(MenuCb(area="classes").pack())
    assert "Choose a class" in client.last_text
    await client.press("5А")
    await client.press("Математика")
    assert "5А · Математика, Quarter 2" in client.last_text
    assert any(b[0] == "◀️ Quarter 1" for b in client.buttons())


def test_callback_data_fits_64_bytes() -> None:
    big = 2**31 - 1
    for v in ("c", "t", "l", "u"):
        packed = StaffCb(v=v, c=big, j=big, d=big, p=big, s=big).pack()
        assert len(packed.encode()) <= 64, packed


def test_journal_names_are_escaped_in_text_and_kept_in_buttons() -> None:
    import datetime as dt

    from screens import lessons
    from screens import staff as screens
    from screens.i18n import translator
    from services import staff, teacher_days
    from services.marks import SubjectRef
    from services.models import LessonStatus

    t = translator("ru")
    klass = staff.ClassRef(1, "5<А>&", 5)
    screen = screens.klass(t, staff.ClassView(klass, (SubjectRef(2, "Физ<ра>", False),)))
    assert "5&lt;А&gt;&amp;" in screen.text and "<А>" not in screen.text
    assert screen.rows[0][0].text == "Физ<ра>"  # a button's text is plain text
    pupils = screens.students(t, staff.ClassStudents(
        klass, (staff.StudentRef(3, "<Иванов> А."),)))
    assert "5&lt;А&gt;&amp;" in pupils.text and pupils.rows[0][0].text == "<Иванов> А."
    lesson = teacher_days.TeacherLesson(
        1, DEMO_TODAY, 1, dt.time(8, 30), dt.time(9, 15), "7<Б>", "<гр>", "Алгебра & Co",
        "2<0>8", LessonStatus.SCHEDULED, True, "<Орлова> М. Г.", None)
    line = lessons.lesson_line(t, lesson)
    assert "<b>7&lt;Б&gt;</b> (&lt;гр&gt;) · Алгебра &amp; Co" in line
    assert "2&lt;0&gt;8" in line and "&lt;Орлова&gt; М. Г." in line
