"""The forecast for the school year beside the current term's (000 §4.2, 001 §4)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import text

from handlers.forecast import ForecastYearCb
from handlers.menu import ChildCb
from tests.conftest import BotEnv

GUARDIAN = 1001


async def year_averages(env: BotEnv, student_id: int) -> dict[str, Decimal]:
    async with env.db.sessionmaker() as s:
        rows = (await s.execute(text(
            "SELECT j.name, sum(m.value * m.weight)::numeric / sum(m.weight) FROM marks m "
            "JOIN subjects j ON j.id = m.subject_id JOIN periods p ON p.school_id = m.school_id "
            "AND p.kind = 'year' WHERE m.student_id = :s AND m.deleted_at IS NULL "
            "AND m.value IS NOT NULL AND NOT j.pass_fail AND m.date BETWEEN p.starts_on AND "
            "p.ends_on GROUP BY j.name"), {"s": student_id})).all()
    return {name: Decimal(avg).quantize(Decimal("0.01"), ROUND_HALF_UP) for name, avg in rows}


@pytest.mark.parametrize("locale", ["ru", "en"])
async def test_year_forecast_from_every_mark_of_the_year(bot_env: BotEnv, locale: str) -> None:
    student_id = int(await bot_env.scalar(
        "SELECT active_student_id FROM accounts WHERE telegram_id = :t", t=GUARDIAN))
    async with bot_env.db.sessionmaker.begin() as s:
        await s.execute(text("UPDATE accounts SET locale = :l WHERE telegram_id = :t"),
                        {"l": locale, "t": GUARDIAN})
    expected = await year_averages(bot_env, student_id)
    client = bot_env.client(GUARDIAN, language_code=locale)
    await client.send("/forecast")
    term = client.last_text
    await client.press("📅 " + ("Прогноз за год" if locale == "ru" else "Forecast for the year"))
    body = client.last_text
    assert ("Учебный год, до 26 мая" if locale == "ru" else "School year, until 26 May") in body
    word = "средний" if locale == "ru" else "average"
    differs = False
    for subject, avg in expected.items():
        shown = f"{avg:.2f}".replace(".", "," if locale == "ru" else ".")
        assert f"• {subject}: {word} {shown} → " in body, (subject, shown)
        differs |= f"• {subject}: {word} {shown} → " not in term
    assert differs  # the year counts the first quarter's marks too
    await client.press("🔮 " + ("Прогноз за период" if locale == "ru" else
                               "Forecast for the term"))
    assert client.last_text == term


async def test_year_forecast_of_a_first_grader_or_a_stranger(bot_env: BotEnv) -> None:
    client = bot_env.client(GUARDIAN)
    olya = int(await bot_env.scalar(
        "SELECT s.id FROM students s JOIN classes c ON c.id = s.class_id "
        "JOIN account_links l ON l.student_id = s.id JOIN accounts a ON a.id = l.account_id "
        "WHERE a.telegram_id = :t AND c.grade = 1", t=GUARDIAN))
    await client.click(ChildCb(student_id=olya).pack())
    await client.click(ForecastYearCb(s=olya).pack())
    assert "У первоклассников нет отметок" in client.last_text
    stranger = int(await bot_env.scalar(
        "SELECT s.id FROM students s JOIN schools sc ON sc.id = s.school_id "
        "WHERE sc.external_id = 'demo-lyceum' LIMIT 1"))
    replies = await client.click(ForecastYearCb(s=stranger).pack())
    assert [r.alert for r in replies if r.alert] == ["Это недоступно."]
