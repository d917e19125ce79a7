"""Callback data is user input. Unicode digits (`²`, `٣`), numbers beyond any id and
random bytes, under every payload prefix the bot knows, get "not available", an audit
row, and never a traceback."""

from __future__ import annotations

import logging
import random

import pytest

from tests.conftest import BotEnv
from tests.forged import payload_classes

GUARDIAN = 1001
NOT_AVAILABLE = "Это недоступно."


def forgeries(prefix: str, rng: random.Random) -> list[str]:
    noise = "".join(chr(rng.randrange(0x20, 0x2FF)) for _ in range(20))
    raw = bytes(rng.randrange(256) for _ in range(24)).decode("latin-1")
    return [f"{prefix}:²", f"{prefix}:r:²:0", f"{prefix}:٣:1", f"{prefix}:1:²:²:²",
            f"{prefix}:99999999999999999999", f"{prefix}:-0:-:", f"{prefix}:{noise}",
            f"{prefix}:{raw}"[:64]]


def test_every_area_uses_typed_payloads() -> None:
    prefixes = [c.prefix for c in payload_classes()]
    assert len(prefixes) == len(set(prefixes)), prefixes
    assert {"m", "mk", "ch"} <= set(prefixes)


async def test_malformed_payloads_are_refused_and_audited(
        bot_env: BotEnv, caplog: pytest.LogCaptureFixture) -> None:
    client = bot_env.client(GUARDIAN)
    await client.send("/menu")
    rng = random.Random(7)
    cases = [data for cls in payload_classes() for data in forgeries(cls.prefix, rng)]
    with caplog.at_level(logging.ERROR):
        for data in cases:
            replies = await client.click(data)
            assert replies and replies[-1].alert == NOT_AVAILABLE, data
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    audited = await bot_env.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'access_denied' "
        "AND details->>'what' = 'malformed_callback'")
    assert audited == len(cases)


async def test_a_refusal_is_audited_even_when_its_reply_fails(bot_env: BotEnv) -> None:
    """The audit row is committed before the reply is tried: Telegram failing to take the
    "not available" answer loses no record of the refused request."""
    from aiogram.exceptions import TelegramNetworkError
    from aiogram.methods import AnswerCallbackQuery

    from handlers.marks import MarksCb

    client = bot_env.client(GUARDIAN)
    await client.send("/menu")
    stranger = int(await bot_env.scalar(
        "SELECT s.id FROM students s WHERE s.id NOT IN (SELECT student_id FROM account_links "
        "WHERE student_id IS NOT NULL) ORDER BY s.id LIMIT 1"))
    real = bot_env.session.make_request

    async def telegram_down(bot, method, timeout=None):  # type: ignore[no-untyped-def]  # noqa: ASYNC109
        if isinstance(method, AnswerCallbackQuery):
            raise TelegramNetworkError(method=method, message="connection reset")
        return await real(bot, method, timeout)

    bot_env.session.make_request = telegram_down  # type: ignore[method-assign]
    try:
        await client.click(MarksCb(v="r", s=stranger).pack())
    finally:
        bot_env.session.make_request = real  # type: ignore[method-assign]
    assert await bot_env.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'access_denied' "
        "AND student_id = :s", s=stranger) == 1


async def test_a_refusal_naming_a_student_that_exists_nowhere_is_audited(
        bot_env: BotEnv) -> None:
    """A well-formed payload with an id no row has: refused, and the audit row keeps the
    id in its details (no foreign key can hold it), instead of the refusal failing."""
    from handlers.marks import MarksCb
    from screens.payloads import MAX_INT

    client = bot_env.client(GUARDIAN)
    await client.send("/menu")
    replies = await client.click(MarksCb(v="r", s=MAX_INT).pack())
    assert replies[-1].alert == NOT_AVAILABLE
    assert await bot_env.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'access_denied' AND student_id IS NULL "
        "AND (details->>'missing_student_id')::bigint = :s", s=MAX_INT) == 1
