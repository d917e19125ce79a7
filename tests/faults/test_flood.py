"""A flood of 1,000 updates from one chat, fed concurrently through the real dispatcher
while 20 other chats go about their business: the flood is cut at the throttle's burst,
before any database work, with one "wait a moment"; every other chat gets every answer.

The throttle runs with its production numbers on a hand-moved clock, so the counts are
exact and nothing here waits for time to pass."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from handlers.marks import MarksCb
from telegram_fakes.record import Record
from tests.conftest import BotEnv
from tests.throttled import ManualClock, production_throttle

FLOODER = 1001  # the demo guardian
FLOOD = 1000
DEMO_OTHERS = (1002, 2001, 2002, 2003, 2004)
NEW_USERS = tuple(range(70001, 70016))  # fifteen people who have never used the bot
THROTTLED = "Слишком много запросов. Подождите немного и попробуйте снова."
NOT_AVAILABLE = "Это недоступно."


def _script(user: int) -> list[str]:
    return ["/menu", "/timetable", "/help"] if user in DEMO_OTHERS else \
        ["/start", "/help", "/menu"]


@pytest.fixture
def statements(bot_env: BotEnv) -> Iterator[list[str]]:
    """Every SQL statement the bot's engine runs while the test does."""
    seen: list[str] = []

    def note(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        seen.append(sql)

    engine = bot_env.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", note)
    yield seen
    event.remove(engine, "before_cursor_execute", note)


def _since(env: BotEnv, seq: int) -> list[Record]:
    return [r for r in env.session.requests if r.seq > seq]


def _last_seq(env: BotEnv) -> int:
    return env.session.requests[-1].seq if env.session.requests else 0


async def _flood(env: BotEnv, stranger: int, n: int) -> list[Any]:
    """`n` updates from the flooder at once: forged presses naming another family's child
    (each one handled writes an audit row) and /menu commands, alternately."""
    flooder = env.client(FLOODER)
    forged = MarksCb(v="r", s=stranger).pack()
    return [flooder.click(forged) if k % 2 else flooder.send("/menu") for k in range(n)]


async def _texts(client: Any, script: list[str]) -> list[list[str]]:
    """Each request's answers in this chat, in order."""
    return [[r.text or "" for r in await client.send(text)] for text in script]


async def test_a_flood_from_one_chat_is_cut_and_other_chats_lose_nothing(
        bot_env: BotEnv, statements: list[str], fault_report: Any) -> None:
    stranger = int(await bot_env.scalar(
        "SELECT s.id FROM students s WHERE s.id NOT IN (SELECT student_id FROM account_links "
        "WHERE student_id IS NOT NULL) ORDER BY s.id LIMIT 1"))
    await bot_env.client(FLOODER).send("/menu")  # a keyboard to press, before the clock
    denied = ("SELECT count(*) FROM audit_log a JOIN accounts c ON c.id = a.account_id "
              "WHERE c.telegram_id = :u AND a.action = 'access_denied'")
    clock = ManualClock()
    with production_throttle(bot_env.dp, clock) as buckets:
        # What each other chat is answered when nobody floods (new users rehearse under
        # other ids: a first /start is answered differently from a second one).
        expected = {u: await _texts(bot_env.client(u if u in DEMO_OTHERS else u + 10_000),
                                    _script(u)) for u in (*DEMO_OTHERS, *NEW_USERS)}
        assert all(all(answers) for script in expected.values() for answers in script)

        start, denied_before = _last_seq(bot_env), await bot_env.scalar(denied, u=FLOODER)
        others = [_texts(bot_env.client(u), _script(u)) for u in (*DEMO_OTHERS, *NEW_USERS)]
        results = await asyncio.gather(*await _flood(bot_env, stranger, FLOOD), *others)

        # Every other chat got every answer, in order, as if nobody had flooded.
        assert dict(zip((*DEMO_OTHERS, *NEW_USERS), results[FLOOD:], strict=True)) == expected
        assert await bot_env.scalar(
            "SELECT count(*) FROM accounts WHERE telegram_id BETWEEN 70001 AND 70015") == 15
        # The flooder: exactly the burst handled, and one notice.
        burst = buckets.burst
        mine = [r for r in _since(bot_env, start)
                if r.chat_id == FLOODER or r.method == "answerCallbackQuery"]
        notices = [r for r in mine if THROTTLED in (r.text or r.alert or "")]
        refused = [r for r in mine if r.alert == NOT_AVAILABLE]
        menus = [r for r in mine if r.method == "sendMessage" and r not in notices]
        assert len(notices) == 1 and len(refused) + len(menus) == burst
        assert len(mine) == burst + 1
        # Its database writes: one audit row per refused press that was handled, no more.
        assert await bot_env.scalar(denied, u=FLOODER) - denied_before == len(refused)

        # Still over its limit: another flood on its own costs not one SQL statement and
        # gets no answer at all (the notice of this window is given).
        start, statements[:] = _last_seq(bot_env), []
        await asyncio.gather(*await _flood(bot_env, stranger, FLOOD))
        assert statements == []
        assert _since(bot_env, start) == []

        # Seconds later the chat has a few updates again; a window later, a whole burst
        # and a new notice.
        clock.advance(3)
        start = _last_seq(bot_env)
        await asyncio.gather(*await _flood(bot_env, stranger, 20))
        assert len(_since(bot_env, start)) == 3
        clock.advance(buckets.notice_seconds)
        start = _last_seq(bot_env)
        await asyncio.gather(*await _flood(bot_env, stranger, 40))
        later = _since(bot_env, start)
        assert len(later) == burst + 1
        assert len([r for r in later if THROTTLED in (r.text or r.alert or "")]) == 1

    fault_report(tried=f"{FLOOD} updates from one chat at once (forged presses and /menu), "
                 f"beside 20 chats of 3 requests each, then {FLOOD} more alone",
                 kept=f"the flooder handled exactly its burst of {burst} (one audit row per "
                 "handled press, zero SQL for the dropped ones) with one notice; all 60 "
                 "answers of the other chats, in order, and the 15 new accounts")
