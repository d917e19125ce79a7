"""Marks views through the real Dispatcher on the demo school: recent marks, by subject with
the weighted average and the chart, the period overview with period marks, final marks,
the calendar, first-graders and forged callbacks."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import text

from handlers.marks import MarksCb
from screens.marks import overview as overview_screen
from handlers.menu import ChildCb, MenuCb
from screens.i18n import translator
from services import access, marks
from tests.conftest import DEMO_TODAY, BotEnv

GUARDIAN = 1001  # Петрова Анна: Миша (5А, active) and Оля (1А)
STUDENT = 1002  # a 5А student
ADMIN = 2003
PNG = b"\x89PNG\r\n\x1a\n"


# --- what the database says ---------------------------------------------------------------


async def rows(env: BotEnv, sql: str, **params: Any) -> list[Any]:
    async with env.db.sessionmaker() as s:
        return list((await s.execute(text(sql), params)).all())


async def family_student(env: BotEnv, telegram_id: int) -> int:
    """The active child of a guardian, or the student an account is."""
    return int(await env.scalar(
        "SELECT coalesce(a.active_student_id, l.student_id) FROM accounts a "
        "JOIN account_links l ON l.account_id = a.id AND l.revoked_at IS NULL "
        "WHERE a.telegram_id = :t ORDER BY l.id LIMIT 1", t=telegram_id))


async def account_id(env: BotEnv, telegram_id: int) -> int:
    return int(await env.scalar("SELECT id FROM accounts WHERE telegram_id = :t",
                                t=telegram_id))


async def current_quarter(env: BotEnv, student_id: int) -> Any:
    return (await rows(
        env, "SELECT p.id, p.starts_on, p.ends_on FROM periods p "
        "JOIN students s ON s.school_id = p.school_id JOIN classes c ON c.id = s.class_id "
        "WHERE s.id = :s AND p.kind = 'quarter' AND c.grade BETWEEN p.grade_min AND "
        "p.grade_max AND :d BETWEEN p.starts_on AND p.ends_on", s=student_id,
        d=DEMO_TODAY))[0]


async def newest_mark(env: BotEnv, student_id: int) -> Any:
    return (await rows(
        env, "SELECT m.id, m.date, s.name AS subject, m.value, m.passed FROM marks m "
        "JOIN subjects s ON s.id = m.subject_id WHERE m.student_id = :s "
        "AND m.deleted_at IS NULL ORDER BY m.date DESC, m.entered_at DESC, m.id DESC "
        "LIMIT 1", s=student_id))[0]


def weighted(pairs: list[tuple[int, int]]) -> Decimal:
    total = sum(v * w for v, w in pairs)
    return (Decimal(total) / Decimal(sum(w for _, w in pairs))).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP)


def ru_number(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def mark_shown(value: int | None, passed: bool | None) -> str:
    return str(value) if value is not None else ("зачёт" if passed else "незачёт")


async def denied_count(env: BotEnv, telegram_id: int) -> int:
    return int(await env.scalar(
        "SELECT count(*) FROM audit_log l JOIN accounts a ON a.id = l.account_id "
        "WHERE a.telegram_id = :t AND l.action = 'access_denied'", t=telegram_id))


async def to_english(env: BotEnv, telegram_id: int) -> Any:
    client = env.client(telegram_id, language_code="en")
    await client.send("/settings")
    await client.press("English")
    return client


# --- recent marks -------------------------------------------------------------------------


async def test_recent_marks_newest_first_for_guardian_and_student(bot_env: BotEnv) -> None:
    for telegram_id in (GUARDIAN, STUDENT):
        student_id = await family_student(bot_env, telegram_id)
        newest = await newest_mark(bot_env, student_id)
        client = bot_env.client(telegram_id)
        await client.send("/marks")
        shown = f"{newest.date:%d.%m} · {newest.subject}: {mark_shown(newest.value, newest.passed)}"
        lines = client.last_text.splitlines()
        assert lines[1].startswith(shown), (shown, lines[:3])
        assert {"📚 По предметам", "📋 Сводка за период", "🏠 Меню"} <= {
            b[0] for b in client.buttons()}

        # A deleted mark disappears; the next one is on top.
        async with bot_env.db.sessionmaker.begin() as s:
            await s.execute(text("UPDATE marks SET deleted_at = now() WHERE id = :m"),
                            {"m": newest.id})
        following = await newest_mark(bot_env, student_id)
        await client.send("/marks")
        lines = client.last_text.splitlines()
        assert lines[1].startswith(
            f"{following.date:%d.%m} · {following.subject}: "
            f"{mark_shown(following.value, following.passed)}")


async def test_recent_marks_reached_from_menu_and_paged_in_place(bot_env: BotEnv) -> None:
    student_id = await family_student(bot_env, GUARDIAN)
    total = int(await bot_env.scalar(
        "SELECT count(*) FROM marks WHERE student_id = :s AND deleted_at IS NULL",
        s=student_id))
    pages = -(-total // marks.RECENT_PAGE_SIZE)
    assert pages > 1
    client = bot_env.client(GUARDIAN)
    await client.send("/menu")
    opened = await client.press("Оценки")
    first_id = opened[-1].message_id
    assert f"Страница 1 из {pages}" in client.last_text
    replies = await client.press("▶️")
    edit = [r for r in replies if r.method == "editMessageText"]
    assert edit and edit[-1].message_id == first_id
    assert f"Страница 2 из {pages}" in client.last_text
    assert len(client.last_text) <= 4096
    oldest = (await rows(
        bot_env, "SELECT m.date, s.name FROM marks m JOIN subjects s ON s.id = m.subject_id "
        "WHERE m.student_id = :s AND m.deleted_at IS NULL "
        "ORDER BY m.date, m.entered_at, m.id LIMIT 1", s=student_id))[0]
    await client.click(MarksCb(v="r", s=student_id, p=10_000).pack())  # past the end
    assert f"Страница {pages} из {pages}" in client.last_text
    assert f"{oldest.date:%d.%m} · {oldest.name}" in client.last_text
    await client.press("◀️")
    assert f"Страница {pages - 1} из {pages}" in client.last_text


# --- by subject, chart --------------------------------------------------------------------


async def test_subject_average_matches_the_database_and_chart_is_png(bot_env: BotEnv) -> None:
    student_id = await family_student(bot_env, GUARDIAN)
    period = await current_quarter(bot_env, student_id)
    subject = "Математика"
    found = await rows(
        bot_env, "SELECT m.value, m.weight FROM marks m JOIN subjects s ON s.id = m.subject_id "
        "WHERE m.student_id = :s AND s.name = :n AND m.deleted_at IS NULL "
        "AND m.date BETWEEN :a AND :b AND m.value IS NOT NULL", s=student_id, n=subject,
        a=period.starts_on, b=period.ends_on)
    assert found, "the demo gives Misha mathematics marks this quarter"
    expected = ru_number(weighted([(r.value, r.weight) for r in found]))

    client = bot_env.client(GUARDIAN)
    await client.send("/marks")
    await client.press("По предметам")
    assert "2 четверть" in client.last_text
    await client.press(f"{subject} ({len(found)})")
    assert f"Средний балл: {expected}" in client.last_text

    replies = await client.press("График")
    photos = [r for r in replies if r.method == "sendPhoto"]
    assert len(photos) == 1
    assert photos[0].photo_bytes is not None and photos[0].photo_bytes.startswith(PNG)
    caption = photos[0].text or ""
    assert subject in caption and expected in caption and len(caption) <= 1024


async def test_english_labels(bot_env: BotEnv) -> None:
    student_id = await family_student(bot_env, GUARDIAN)
    client = await to_english(bot_env, GUARDIAN)
    await client.send("/marks")
    assert client.last_text.startswith("📊 Marks:")
    assert {"📚 By subject", "📋 Period overview", "🏠 Menu"} <= {b[0] for b in client.buttons()}
    await client.press("By subject")
    assert "Quarter 2" in client.last_text and "Choose a subject" in client.last_text
    await client.press("Математика")
    assert "Average: " in client.last_text
    average = client.last_text.split("Average: ")[1].split()[0]
    assert "." in average and "," not in average
    replies = await client.press("Chart")
    assert any(r.photo_bytes and "Average" in (r.text or "") for r in replies)
    await client.click(MarksCb(v="o", s=student_id).pack())
    assert "Quarter 2" in client.last_text and "avg" in client.last_text
    await client.click(MenuCb(area="calendar").pack())
    assert "Terms and holidays" in client.last_text and "now" in client.last_text


# --- overview, period marks, final marks --------------------------------------------------


async def test_overview_lists_the_curriculum_with_averages_and_period_marks(
        bot_env: BotEnv) -> None:
    student_id = await family_student(bot_env, GUARDIAN)
    curriculum = [r.name for r in await rows(
        bot_env, "SELECT s.name FROM curriculum c JOIN subjects s ON s.id = c.subject_id "
        "JOIN students st ON st.class_id = c.class_id WHERE st.id = :s", s=student_id)]
    client = bot_env.client(GUARDIAN)
    await client.send("/marks")
    await client.press("Сводка")
    for name in curriculum:
        assert f"{name}:" in client.last_text
    # The previous quarter has period marks entered: each shows on its subject's line.
    await client.press("1 четверть")
    q1 = await rows(
        bot_env, "SELECT s.name, f.value, f.postponed FROM final_marks f "
        "JOIN subjects s ON s.id = f.subject_id JOIN periods p ON p.id = f.period_id "
        "WHERE f.student_id = :s AND f.kind = 'period' AND p.number = 1 "
        "AND p.kind = 'quarter'", s=student_id)
    assert q1
    lines = client.last_text.splitlines()
    for row in q1:
        line = next(x for x in lines if x.startswith(f"{row.name}:"))
        assert line.endswith(f"за период: {row.value}"), line
    # Its marks in a row, and the average of them.
    maths = await rows(
        bot_env, "SELECT m.value, m.weight FROM marks m JOIN subjects s ON s.id = m.subject_id "
        "JOIN periods p ON m.date BETWEEN p.starts_on AND p.ends_on AND p.school_id = m.school_id "
        "WHERE m.student_id = :s AND s.name = 'Математика' AND p.kind = 'quarter' "
        "AND p.number = 1 AND m.deleted_at IS NULL ORDER BY m.date, m.entered_at, m.id",
        s=student_id)
    row_text = " ".join(str(r.value) for r in maths)
    avg = ru_number(weighted([(r.value, r.weight) for r in maths]))
    assert f"Математика: {row_text} · ср. {avg}" in client.last_text

    await client.press("Итоговые")
    assert "1 четверть" in client.last_text
    for row in q1:
        assert f"{row.name}: {row.value}" in client.last_text


async def test_postponed_period_mark(bot_env: BotEnv, session: Any) -> None:
    sick = (await rows(
        bot_env, "SELECT f.student_id, s.name AS subject, f.period_id FROM final_marks f "
        "JOIN subjects s ON s.id = f.subject_id WHERE f.postponed"))[0]
    admin = await account_id(bot_env, ADMIN)
    # The service, for that student (a 7Б student, not one of the demo family).
    granted = await access.student_access(session, admin, sick.student_id)
    view = await marks.period_overview(session, granted, sick.period_id)
    row = next(r for r in view.subjects if r.subject.name == sick.subject)
    assert row.period_mark is not None and row.period_mark.postponed
    text_ru = overview_screen(translator("ru"), granted, view).text
    assert f"{sick.subject}</b>:" in text_ru and "за период: <b>отсрочка</b>" in text_ru
    final = await marks.final_marks(session, granted)
    items = [i for g in final.groups for i in g.items if i.subject == sick.subject]
    assert any(i.postponed for i in items)

    # Through the bot: the school admin opens the student's overview of that quarter.
    client = bot_env.client(ADMIN)
    await client.send("/menu")
    await client.click(MarksCb(v="o", s=sick.student_id, p=sick.period_id).pack())
    line = next(x for x in client.last_text.splitlines() if x.startswith(f"{sick.subject}:"))
    assert line.endswith("за период: отсрочка")
    english = await to_english(bot_env, ADMIN)
    await english.click(MarksCb(v="o", s=sick.student_id, p=sick.period_id).pack())
    assert "period mark: postponed" in english.last_text


# --- calendar -----------------------------------------------------------------------------


async def test_calendar_shows_terms_holidays_and_days_left(bot_env: BotEnv) -> None:
    student_id = await family_student(bot_env, GUARDIAN)
    period = await current_quarter(bot_env, student_id)
    holidays = await rows(bot_env, "SELECT p.name FROM periods p JOIN students s ON "
                          "s.school_id = p.school_id WHERE s.id = :s AND p.kind = 'holidays' "
                          "AND 5 BETWEEN p.grade_min AND p.grade_max", s=student_id)
    client = bot_env.client(GUARDIAN)
    await client.send("/menu")
    await client.press("Четверти и каникулы")
    shown = client.last_text
    assert "▶️ 2 четверть" in shown and "(сейчас)" in shown
    for h in holidays:
        assert h.name in shown
    days = (period.ends_on - DEMO_TODAY).days
    assert f"осталось {days} дн" in shown


# --- first grade --------------------------------------------------------------------------


async def test_first_grader_never_sees_marks(bot_env: BotEnv) -> None:
    olya = int(await bot_env.scalar(
        "SELECT st.id FROM account_links l JOIN accounts a ON a.id = l.account_id "
        "JOIN students st ON st.id = l.student_id JOIN classes c ON c.id = st.class_id "
        "WHERE a.telegram_id = :t AND c.grade = 1", t=GUARDIAN))
    client = bot_env.client(GUARDIAN)
    await client.send("/menu")
    await client.click(ChildCb(student_id=olya).pack())
    assert not any(b[1] in ("m:marks", "m:final") for b in client.buttons())
    for action in (client.send("/marks"), client.click(MenuCb(area="marks").pack()),
                   client.click(MenuCb(area="final").pack()),
                   client.click(MarksCb(v="o", s=olya).pack()),
                   client.click(MarksCb(v="s", s=olya).pack()),
                   client.click(MarksCb(v="f", s=olya).pack())):
        await action
        assert client.last_text == "В 1 классе отметки не ставятся."
    # The calendar is not about marks: a first-grader has it (with the extra holidays).
    await client.click(MenuCb(area="calendar").pack())
    assert "1А" in client.last_text and "Каникулы" in client.last_text


# --- forged callbacks ---------------------------------------------------------------------


async def test_forged_student_ids_are_refused_and_audited(bot_env: BotEnv) -> None:
    misha = await family_student(bot_env, GUARDIAN)
    classmate = int(await bot_env.scalar(
        "SELECT id FROM students WHERE class_id = (SELECT class_id FROM students WHERE id = :m) "
        "AND id NOT IN (SELECT student_id FROM account_links l JOIN accounts a "
        "ON a.id = l.account_id WHERE a.telegram_id = :t AND student_id IS NOT NULL) "
        "ORDER BY id LIMIT 1", m=misha, t=GUARDIAN))
    lyceum = int(await bot_env.scalar(
        "SELECT st.id FROM students st JOIN schools sc ON sc.id = st.school_id "
        "WHERE sc.name = 'Лицей № 5' ORDER BY st.id LIMIT 1"))
    client = bot_env.client(GUARDIAN)
    await client.send("/marks")
    before = await denied_count(bot_env, GUARDIAN)
    forged = [MarksCb(v="r", s=classmate), MarksCb(v="o", s=lyceum),
              MarksCb(v="m", s=lyceum, j=1), MarksCb(v="c", s=classmate, j=1),
              MarksCb(v="f", s=lyceum)]
    for data in forged:
        replies = await client.click(data.pack())
        assert [r.alert for r in replies if r.alert] == ["Это недоступно."], data
        assert not [r for r in replies if r.method in ("editMessageText", "sendPhoto")]
    assert await denied_count(bot_env, GUARDIAN) == before + len(forged)

    # A forged period or subject id for one's own child is refused the same way.
    other_school_subject = int(await bot_env.scalar(
        "SELECT s.id FROM subjects s JOIN schools sc ON sc.id = s.school_id "
        "WHERE sc.name = 'Лицей № 5' LIMIT 1"))
    other_period = int(await bot_env.scalar(
        "SELECT p.id FROM periods p JOIN schools sc ON sc.id = p.school_id "
        "WHERE sc.name = 'Лицей № 5' AND p.kind = 'quarter' LIMIT 1"))
    for data in (MarksCb(v="m", s=misha, j=other_school_subject),
                 MarksCb(v="o", s=misha, p=other_period)):
        replies = await client.click(data.pack())
        assert [r.alert for r in replies if r.alert] == ["Это недоступно."], data
    assert await denied_count(bot_env, GUARDIAN) == before + len(forged) + 2


def test_callback_data_fits_64_bytes() -> None:
    big = 2**31 - 1
    for v in ("r", "s", "m", "c", "o", "f"):
        assert len(MarksCb(v=v, s=big, p=big, j=big).pack().encode()) <= 64


async def test_weighted_average_leaves_out_pass_fail() -> None:
    day = dt.date(2026, 11, 2)
    values = [marks.MarkValue(day, 5, None, 3), marks.MarkValue(day, 4, None, 1),
              marks.MarkValue(day, None, True, 2)]
    assert marks.weighted_average(values) == Decimal("4.75")
    assert marks.weighted_average([marks.MarkValue(day, None, False, 1)]) is None
    # Rounded half up: 33 / 8 = 4.125 → 4.13.
    assert marks.weighted_average([marks.MarkValue(day, 4, None, 7),
                                   marks.MarkValue(day, 5, None, 1)]) == Decimal("4.13")
