"""What a subject view shows beside the marks themselves: the teacher's comment with its
mark (also in the recent marks), a corrected mark as old → new, and the class's average,
given only when at least five classmates have marks."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import text

from handlers.marks import MarksCb
from tests.conftest import DEMO_TODAY, BotEnv

GUARDIAN = 1001  # Михаил Петров, 5А


async def rows(env: BotEnv, sql: str, **params: Any) -> list[Any]:
    async with env.db.sessionmaker() as s:
        return list((await s.execute(text(sql), params)).all())


async def execute(env: BotEnv, sql: str, **params: Any) -> None:
    async with env.db.sessionmaker.begin() as s:
        await s.execute(text(sql), params)


async def misha(env: BotEnv) -> Any:
    return (await rows(env, "SELECT s.id, s.class_id FROM students s JOIN account_links l "
                            "ON l.student_id = s.id JOIN accounts a ON a.id = l.account_id "
                            "JOIN classes c ON c.id = s.class_id WHERE a.telegram_id = :t "
                            "AND c.name = '5А'", t=GUARDIAN))[0]


async def math_mark(env: BotEnv, student_id: int) -> Any:
    """Misha's latest graded maths mark this quarter."""
    return (await rows(
        env, "SELECT m.id, m.value, m.subject_id FROM marks m JOIN subjects j "
        "ON j.id = m.subject_id WHERE m.student_id = :s AND j.name = 'Математика' "
        "AND m.deleted_at IS NULL AND m.value IS NOT NULL AND m.date <= :d "
        "ORDER BY m.date DESC, m.id DESC LIMIT 1", s=student_id, d=DEMO_TODAY))[0]


async def english(env: BotEnv) -> Any:
    client = env.client(GUARDIAN, language_code="en")
    await client.send("/settings")
    await client.press("🇬🇧 English")
    return client


async def test_a_mark_shows_the_teachers_comment(bot_env: BotEnv) -> None:
    child = await misha(bot_env)
    mark = await math_mark(bot_env, child.id)
    await execute(bot_env, "UPDATE marks SET comment = 'Повторить <дроби>', date = :d "
                  "WHERE id = :m", d=DEMO_TODAY, m=mark.id)
    for client in (bot_env.client(GUARDIAN), await english(bot_env)):
        await client.send("/marks")
        lines = client.last_text.splitlines()
        assert lines[2] == "    💬 Повторить <дроби>", lines[:4]
        await client.click(MarksCb("m", child.id, 0, mark.subject_id).pack())
        assert "💬 Повторить <дроби>" in client.last_text


async def test_a_corrected_mark_shows_old_and_new(bot_env: BotEnv) -> None:
    child = await misha(bot_env)
    mark = await math_mark(bot_env, child.id)
    old = 2 if mark.value != 2 else 3
    await execute(bot_env, "INSERT INTO mark_changes (mark_id, action, old_value, new_value) "
                  "VALUES (:m, 'updated', :o, :v)", m=mark.id, o=old, v=mark.value)
    for client in (bot_env.client(GUARDIAN), await english(bot_env)):
        await client.click(MarksCb("m", child.id, 0, mark.subject_id).pack())
        assert f": {old} → {mark.value} — " in client.last_text, client.last_text
        assert client.last_text.count(" → ") == 1


def weighted(pairs: list[Any]) -> Decimal:
    return Decimal(sum(v * w for v, w in pairs)) / Decimal(sum(w for _, w in pairs))


async def test_class_average_only_with_five_classmates_with_marks(bot_env: BotEnv) -> None:
    child = await misha(bot_env)
    mark = await math_mark(bot_env, child.id)
    quarter = (await rows(bot_env, "SELECT starts_on, ends_on FROM periods WHERE kind = "
                          "'quarter' AND :d BETWEEN starts_on AND ends_on AND school_id = "
                          "(SELECT school_id FROM students WHERE id = :s) LIMIT 1",
                          d=DEMO_TODAY, s=child.id))[0]
    marks = await rows(bot_env, "SELECT m.student_id, m.value, m.weight FROM marks m "
                       "JOIN students s ON s.id = m.student_id WHERE s.class_id = :c "
                       "AND m.subject_id = :j AND m.deleted_at IS NULL AND m.value IS NOT "
                       "NULL AND m.date BETWEEN :a AND :b", c=child.class_id,
                       j=mark.subject_id, a=quarter.starts_on, b=quarter.ends_on)
    by_student: dict[int, list[Any]] = {}
    for m in marks:
        by_student.setdefault(m.student_id, []).append((m.value, m.weight))
    assert len(set(by_student) - {child.id}) >= 5
    averages = [weighted(p) for p in by_student.values()]
    expected = (sum(averages, Decimal(0)) / len(averages)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP)
    client = bot_env.client(GUARDIAN)
    await client.click(MarksCb("m", child.id, 0, mark.subject_id).pack())
    shown = f"Средний балл класса: {expected:.2f}".replace(".", ",")
    assert shown in client.last_text, client.last_text
    en = await english(bot_env)
    await en.click(MarksCb("m", child.id, 0, mark.subject_id).pack())
    assert f"Class average: {expected:.2f}" in en.last_text

    # Four classmates with marks are too few: the class average is not shown.
    others = sorted(set(by_student) - {child.id})
    await execute(bot_env, "UPDATE marks SET deleted_at = now() WHERE subject_id = :j "
                  "AND student_id = ANY(:s)", j=mark.subject_id, s=others[4:])
    await en.click(MarksCb("m", child.id, 0, mark.subject_id).pack())
    assert "Average: " in en.last_text
    assert "Class average" not in en.last_text
