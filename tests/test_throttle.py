"""The per-chat flood throttle: a burst, then a steady rate; one notice per window, as a
message or as a toast; idle chats forgotten; buckets in Redis shared by processes, and
Redis being down stops nobody. Clocks are moved by hand: nothing here waits."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.settings import Settings
from bot.throttle import MemoryBuckets, RedisBuckets, Verdict, make_buckets
from handlers.marks import MarksCb
from tests.conftest import BotEnv
from tests.redis_server import free_port
from tests.throttled import ManualClock, production_throttle, throttle_of

ALLOWED, DROPPED, TOLD = Verdict(True), Verdict(False), Verdict(False, notify=True)


async def _takes(buckets: Any, chat: int, n: int) -> list[Verdict]:
    return [await buckets.take(chat) for _ in range(n)]


async def test_a_burst_then_one_a_second_and_one_notice_per_window() -> None:
    clock = ManualClock()
    buckets = MemoryBuckets(3, 1.0, 10.0, clock=clock)
    assert await _takes(buckets, 7, 6) == [ALLOWED] * 3 + [TOLD, DROPPED, DROPPED]
    assert await _takes(buckets, 8, 1) == [ALLOWED]  # another chat has its own bucket
    clock.advance(2)
    assert await _takes(buckets, 7, 3) == [ALLOWED, ALLOWED, DROPPED]
    clock.advance(0.5)
    assert await _takes(buckets, 7, 1) == [DROPPED]  # half a token is not an update
    clock.advance(10)  # the window is over: full again, and told again when over
    assert await _takes(buckets, 7, 4) == [ALLOWED] * 3 + [TOLD]


async def test_idle_chats_cost_no_memory() -> None:
    clock = ManualClock()
    buckets = MemoryBuckets(3, 1.0, 10.0, clock=clock)
    for chat in range(1, 1001):
        await buckets.take(chat)
    await _takes(buckets, 5000, 4)  # throttled and told just now
    assert len(buckets) == 1001
    clock.advance(5)
    await buckets.take(1)
    assert len(buckets) == 1001  # not swept before its interval
    clock.advance(5)
    await buckets.take(1)
    # Everyone is full again; the throttled chat's window has just ended too.
    assert len(buckets) == 1


def test_settings_choose_the_buckets(redis_url: str) -> None:
    assert make_buckets(Settings(_env_file=None, throttle_burst=0)) is None
    memory = make_buckets(Settings(_env_file=None))
    assert isinstance(memory, MemoryBuckets) and memory.burst == 15
    assert isinstance(make_buckets(Settings(_env_file=None, redis_url=redis_url)),
                      RedisBuckets)


# --- through the dispatcher -----------------------------------------------------------------


async def test_a_flood_of_messages_hears_one_notice_in_its_language(bot_env: BotEnv) -> None:
    client = bot_env.client(70101, language_code="en")
    with production_throttle(bot_env.dp, ManualClock()) as buckets:
        answers = [await client.send("/help") for _ in range(buckets.burst + 5)]
    assert all(answers[: buckets.burst])
    [notice] = answers[buckets.burst]
    assert notice.method == "sendMessage"
    assert notice.text == "Too many requests. Please wait a moment and try again."
    assert answers[buckets.burst + 1:] == [[]] * 4


async def test_a_flood_of_presses_gets_one_toast(bot_env: BotEnv) -> None:
    client = bot_env.client(1001)
    await client.send("/menu")
    stranger = await bot_env.scalar(
        "SELECT min(id) FROM students WHERE id NOT IN (SELECT student_id FROM account_links "
        "WHERE student_id IS NOT NULL)")
    press = MarksCb(v="r", s=stranger).pack()
    with production_throttle(bot_env.dp, ManualClock()) as buckets:
        answers = [await client.click(press) for _ in range(buckets.burst + 3)]
    assert all(a and a[-1].alert == "Это недоступно." for a in answers[: buckets.burst])
    [toast] = answers[buckets.burst]
    assert toast.method == "answerCallbackQuery" and not toast.show_alert
    assert toast.alert == "Слишком много запросов. Подождите немного и попробуйте снова."
    assert answers[buckets.burst + 1:] == [[], []]



# --- Redis ------------------------------------------------------------------------------------


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def test_redis_buckets_are_one_limit_for_every_process(redis: Redis,
                                                             redis_url: str) -> None:
    prefix = f"test:{secrets.token_hex(4)}:"
    clock = ManualClock()
    second = Redis.from_url(redis_url)  # another process's own connection
    try:
        a = RedisBuckets(redis, 4, 1.0, 10.0, prefix=prefix, clock=clock)
        b = RedisBuckets(second, 4, 1.0, 10.0, prefix=prefix, clock=clock)
        verdicts = [await (a if n % 2 else b).take(7) for n in range(7)]
        assert verdicts == [ALLOWED] * 4 + [TOLD, DROPPED, DROPPED]
        clock.advance(1)
        assert [await b.take(7), await a.take(7)] == [ALLOWED, DROPPED]
        clock.advance(10)
        assert await _takes(a, 7, 5) == [ALLOWED] * 4 + [TOLD]
    finally:
        await second.aclose()


async def test_redis_buckets_expire_by_themselves(redis: Redis) -> None:
    """On the Redis server's clock: a bucket's key lives until it is full again (and its
    notice window is over), so idle chats cost Redis nothing."""
    prefix = f"test:{secrets.token_hex(4)}:"
    buckets = RedisBuckets(redis, 4, 2.0, 10.0, prefix=prefix)
    await _takes(buckets, 7, 2)
    ttl = await redis.pttl(f"{prefix}7")
    assert ttl != -1 and ttl <= 1000  # it expires: two tokens back at two a second
    await _takes(buckets, 8, 5)
    # Told it is throttled: kept for the notice window, longer than its refill (2 s).
    assert 2000 < await redis.pttl(f"{prefix}8") <= 10_000


async def test_redis_unreachable_lets_updates_through_with_one_warning(
        caplog: pytest.LogCaptureFixture) -> None:
    down = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=1)
    buckets = RedisBuckets(down, 1, 1.0, 10.0)
    try:
        with caplog.at_level(logging.WARNING, logger="bot.throttle"):
            assert await _takes(buckets, 7, 5) == [ALLOWED] * 5
    finally:
        await buckets.close()
    warnings = [r for r in caplog.records if r.name == "bot.throttle"]
    assert len(warnings) == 1 and "Redis unreachable" in warnings[0].getMessage()


async def test_the_dispatcher_on_redis_buckets_cuts_a_flood(bot_env: BotEnv, redis: Redis) -> None:
    throttle = throttle_of(bot_env.dp)
    saved = throttle.buckets
    clock = ManualClock()
    throttle.buckets = RedisBuckets(redis, 5, 1.0, 30.0, prefix=f"test:{secrets.token_hex(4)}:",
                                    clock=clock)
    client = bot_env.client(70102)
    try:
        start = len(bot_env.session.requests)
        await asyncio.gather(*(client.send("/help") for _ in range(50)))
    finally:
        throttle.buckets = saved
    sent = bot_env.session.requests[start:]
    assert len(sent) == 5 + 1
    assert sum("Подождите немного" in (r.text or "") for r in sent) == 1
