"""Paid broadcast (PAID_BROADCAST): off by default, no request asks for it; on, a large
school's urgent notice goes out with `allow_paid_broadcast`, and nothing else does."""

from __future__ import annotations

from typing import Any

from bot.delivery import DeliveryWorker
from tests.conftest import BotEnv

ADMIN = 2003


async def _post_two_notices(env: BotEnv) -> None:
    """The admin posts an ordinary notice and an urgent one to the whole school."""
    admin = env.client(ADMIN)
    for text, urgent in (("Фотосессия в пятницу", False), ("Школа закрыта завтра", True)):
        await admin.send("/menu")
        await admin.press("📢 Объявления")
        await admin.press("✏️ Новое объявление")
        await admin.press("вся школа")
        await admin.press("👪 Родители")
        await admin.send(text)
        if urgent:
            await admin.press("⚡ Сделать срочным")
        await admin.press("📤 Отправить")
        assert (admin.last_text or "").startswith("✅ Объявление отправлено.")


async def _deliver(env: BotEnv, paid_min_audience: int | None) -> list[Any]:
    before = len(env.session.requests)
    worker = DeliveryWorker(env.bot, env.db.sessionmaker, paid_min_audience=paid_min_audience)
    while await worker.run_once():
        pass
    return [r for r in env.session.requests[before:] if r.method == "sendMessage"]


def _paid(request: Any) -> bool:
    return bool(request.call.allow_paid_broadcast)


def _texts(requests: list[Any], paid: bool) -> set[str]:
    return {"urgent" if "закрыта" in r.call.text else "plain"
            for r in requests if _paid(r) == paid}


async def test_off_by_default_no_request_asks_for_paid_broadcast(bot_env: BotEnv) -> None:
    await _post_two_notices(bot_env)
    sent = await _deliver(bot_env, paid_min_audience=None)
    assert _texts(sent, paid=False) == {"urgent", "plain"}
    assert not any(_paid(r) for r in sent)


async def test_on_a_large_audiences_urgent_notice_goes_as_paid_broadcast(
    bot_env: BotEnv,
) -> None:
    await _post_two_notices(bot_env)
    audience = await bot_env.scalar(
        "SELECT count(*) FROM notifications WHERE kind = 'notice' AND payload ? 'urgent'")
    # The notice's rows say how many chats it went to.
    assert await bot_env.scalar(
        "SELECT min((payload->>'audience')::int) FROM notifications "
        "WHERE kind = 'notice' AND payload ? 'urgent'") == audience >= 1
    sent = await _deliver(bot_env, paid_min_audience=audience)
    urgent = [r for r in sent if "закрыта" in r.call.text]
    assert len(urgent) == audience and all(_paid(r) for r in urgent)
    assert _texts(sent, paid=False) == {"plain"}  # everything else unchanged


async def test_on_an_urgent_notice_to_a_smaller_audience_is_sent_as_usual(
    bot_env: BotEnv,
) -> None:
    await _post_two_notices(bot_env)
    audience = await bot_env.scalar(
        "SELECT count(*) FROM notifications WHERE kind = 'notice' AND payload ? 'urgent'")
    sent = await _deliver(bot_env, paid_min_audience=audience + 1)
    assert _texts(sent, paid=False) == {"urgent", "plain"}
    assert not any(_paid(r) for r in sent)
