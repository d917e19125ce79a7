"""The deployment-wide limiter in a real Redis: two limiters (two processes' worth, each with
its own connection) share one budget, one clock per chat and one pause. Checked on the slots
Redis hands out (its own clock), not on how long anything took."""

from __future__ import annotations

import asyncio
import itertools
import secrets
from collections.abc import AsyncIterator

import pytest

from bot.shared_limit import RedisLimiter, Turn


@pytest.fixture
async def pair(redis_url: str) -> AsyncIterator[tuple[RedisLimiter, RedisLimiter]]:
    prefix = f"t:{secrets.token_hex(4)}:"  # keys of this test alone
    a = RedisLimiter.from_url(redis_url, 40.0, prefix=prefix, per_chat_interval=0.2,
                              group_per_minute=3, paid_rate=1000.0, late=1.0)
    b = RedisLimiter.from_url(redis_url, 40.0, prefix=prefix, per_chat_interval=0.2,
                              group_per_minute=3, paid_rate=1000.0, late=1.0)
    yield a, b
    await a.close()
    await b.close()


async def _redis_now(limiter: RedisLimiter) -> int:
    sec, usec = await limiter.redis.time()
    return int(sec) * 1_000_000 + int(usec)


async def _send(limiter: RedisLimiter, chat_id: int, *, paid: bool = False) -> Turn:
    turn = await limiter.acquire(chat_id, paid=paid)
    await limiter.done(turn)
    return turn


async def test_two_limiters_share_one_overall_budget(
    pair: tuple[RedisLimiter, RedisLimiter],
) -> None:
    a, b = pair
    turns = await asyncio.gather(*(_send(a if n % 2 else b, 100 + n) for n in range(24)))
    slots = sorted(t.slot for t in turns)
    gaps = [later - earlier for earlier, later in itertools.pairwise(slots)]
    # 40 a second for both together: every slot 25 ms after the previous one, whoever took it.
    assert min(gaps) >= 25_000


async def test_a_chat_waits_its_interval_whichever_process_sent_last(
    pair: tuple[RedisLimiter, RedisLimiter],
) -> None:
    a, b = pair
    first = await _send(a, 555)
    assert 0.05 < await b.chat_wait(555) <= 0.2
    second = await _send(b, 555)
    assert second.slot - first.slot >= 200_000
    assert await a.chat_wait(556) == 0  # another chat is not held


async def test_a_group_gets_at_most_its_messages_a_minute(
    pair: tuple[RedisLimiter, RedisLimiter],
) -> None:
    a, b = pair
    for n in range(3):
        await _send(a if n % 2 else b, -777)
    # The fourth must wait for the first to leave the minute.
    assert 55 < await a.chat_wait(-777) <= 60
    assert await b.chat_wait(-778) == 0


async def test_a_429_in_one_process_pauses_the_other(
    pair: tuple[RedisLimiter, RedisLimiter],
) -> None:
    a, b = pair
    before = await _redis_now(a)
    await a.pause(0.3)
    turn = await _send(b, 4242)
    assert turn.slot >= before + 300_000


async def test_paid_broadcast_has_a_budget_of_its_own(
    pair: tuple[RedisLimiter, RedisLimiter],
) -> None:
    a, b = pair
    paid = await asyncio.gather(*(_send(a if n % 2 else b, 300 + n, paid=True)
                                  for n in range(40)))
    slots = sorted(t.slot for t in paid)
    # 1,000 a second: 40 paid messages take 40 ms of slots, not a second as free ones would.
    assert slots[-1] - slots[0] < 200_000
    assert min(later - earlier for earlier, later in itertools.pairwise(slots)) >= 1000
    before = await _redis_now(b)
    free = await _send(b, 999)
    assert free.slot - before < 25_000  # the free budget was not spent: no wait


async def test_a_message_that_never_went_out_gives_the_chat_its_turn_back(
    pair: tuple[RedisLimiter, RedisLimiter],
) -> None:
    a, b = pair
    turn = await a.acquire(888)
    await a.done(turn, sent=False)
    assert await b.chat_wait(888) == 0


async def test_a_second_never_holds_more_than_the_limit_counted_from_answers(
    redis_url: str,
) -> None:
    prefix = f"t:{secrets.token_hex(4)}:"
    a = RedisLimiter.from_url(redis_url, 1000.0, prefix=prefix, limit=3, late=1.0)
    b = RedisLimiter.from_url(redis_url, 1000.0, prefix=prefix, limit=3, late=1.0)
    try:
        turns = [await _send(a if n % 2 else b, 600 + n) for n in range(4)]
    finally:
        await a.close()
        await b.close()
    # The fourth waits for the first's second to pass, though the rate would allow it at once.
    assert turns[3].slot - turns[0].slot >= 1_000_000
    assert turns[2].slot - turns[0].slot < 100_000
