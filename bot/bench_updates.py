"""`python -m bot.bench_updates`: the cost of an update in the real app against two anchors,
in one process and one run. Prints one JSON object.

Three dispatchers are fed the same way: the same update dicts through
`dp.feed_raw_update(bot, update)` (one validation each), with the bot on an in-process
`LocalSession` (no latency), so no HTTP is measured:

- `echo`: a bare aiogram bot answering a message with its text and a button press with an
  answer;
- `echo_select`: the same, plus one `SELECT` of the account row per update, through the
  app's own engine setup (`services.db.make_engine`) and a session per update;
- `real`: `bot.app.build_dispatcher` on the seeded demo school (an embedded PostgreSQL in a
  temp dir, or a scratch database on DATABASE_URL's server), with extra linked families.

The real mix: linked parents and students open the menu, recent marks, the overview, the
timetable (day, week), homework, attendance, move between areas, and press a few buttons
no handler takes (refused and audited) or type what is not understood. Each dispatcher
runs twice: `concurrent` (CHATS chats in flight, each chat's updates in order) and
`sequential` (one update at a time). Printed: updates/s for each, the ratios real/echo and
real/echo_select (goals: 0.2 and 0.5), and per kind p50/p95 in ms for the real app.
`measure(url, ...)` runs it on a database that is already migrated and seeded (`make
bench` calls it so).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import itertools
import json
import logging
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot, Dispatcher, Router
from aiogram.types import CallbackQuery, Message
from sqlalchemy import select, text

CHATS = 100  # linked chats; also the updates in flight in the concurrent run
CONCURRENT_UPDATES = 2000
SEQUENTIAL_UPDATES = 600
TODAY = dt.date(2026, 11, 23)  # the demo school's "today" (a Monday in the 2nd quarter)
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Moscow"))
FIRST_TELEGRAM_ID = 700_000

Update = dict[str, Any]
Kind = str


# --- the database ---------------------------------------------------------------------------


async def prepare(url: str, chats: int = CHATS) -> None:
    """Migrate, seed the demo school and link `chats` more chats (parents and students of
    students who get marks, each with a consent on record)."""
    from services import migrate
    from services.db import make_engine, make_sessionmaker
    from services.demo_seed import seed_demo

    engine = make_engine(url)
    try:
        await migrate.upgrade(engine)
        async with make_sessionmaker(engine).begin() as session:
            await seed_demo(session, today=TODAY)
            await session.execute(text("""
                WITH picked AS (
                    SELECT DISTINCT ON (st.id) st.id AS student_id, st.school_id,
                           gs.guardian_id, row_number() OVER (ORDER BY st.id) AS n
                    FROM students st
                    JOIN classes c ON c.id = st.class_id AND c.grade > 1
                    JOIN guardian_students gs ON gs.student_id = st.id
                    WHERE st.status = 'active'
                    ORDER BY st.id, gs.guardian_id
                    LIMIT :chats
                ), accounts_added AS (
                    INSERT INTO accounts (telegram_id, chat_id, locale, is_active,
                                          active_student_id, created_at, last_seen_at)
                    SELECT :first + n, :first + n, CASE WHEN n % 4 = 0 THEN 'en' ELSE 'ru' END,
                           true, student_id, now(), now() FROM picked
                    RETURNING id, telegram_id
                ), linked AS (
                    INSERT INTO account_links (account_id, kind, school_id, student_id,
                                               guardian_id, consent_pending, linked_at)
                    SELECT a.id,
                           (CASE WHEN p.n % 3 = 0 THEN 'student' ELSE 'guardian' END)::linkkind,
                           p.school_id, p.student_id,
                           CASE WHEN p.n % 3 = 0 THEN NULL ELSE p.guardian_id END, false, now()
                    FROM picked p JOIN accounts_added a ON a.telegram_id = :first + p.n
                    RETURNING 1
                )
                INSERT INTO consents (account_id, student_id, guardian_id, decision,
                                      text_version, decided_at, source, signed_on, form_number)
                SELECT NULL, p.student_id, p.guardian_id, 'given'::consentdecision,
                       sc.consent_version, now(), 'paper', :today, 'bench-' || p.n
                FROM picked p JOIN schools sc ON sc.id = p.school_id
            """), {"chats": chats, "first": FIRST_TELEGRAM_ID, "today": TODAY})
    finally:
        await engine.dispose()


async def _identities(url: str) -> list[tuple[int, int]]:
    """(telegram id, the student it reads) of every linked family chat."""
    from services.db import make_engine

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(text(
                "SELECT a.telegram_id, coalesce(a.active_student_id, l.student_id) "
                "FROM accounts a JOIN account_links l ON l.account_id = a.id "
                "AND l.revoked_at IS NULL AND l.kind <> 'staff' "
                "WHERE a.telegram_id IN (1001, 1002) OR a.telegram_id > :first "
                "ORDER BY a.telegram_id"), {"first": FIRST_TELEGRAM_ID})).all()
    finally:
        await engine.dispose()
    seen: dict[int, int] = {}
    for telegram_id, student_id in rows:
        seen.setdefault(int(telegram_id), int(student_id))
    return list(seen.items())


# --- the updates ----------------------------------------------------------------------------


def _views(student_id: int) -> list[tuple[Kind, str]]:
    """What a family presses, by kind, with the callback data of each press."""
    from screens.attendance import AtCb, AtView
    from screens.homework import HwCb, HwView
    from screens.marks import MarksCb, MarksView
    from screens.nav import MenuArea, MenuCb
    from screens.timetable import TtCb, TtView

    s = student_id
    return [
        ("menu", MenuCb(MenuArea.MENU).pack()),
        ("marks_recent", MarksCb(MarksView.RECENT, s).pack()),
        ("marks_overview", MarksCb(MarksView.OVERVIEW, s).pack()),
        ("timetable_day", TtCb(TtView.DAY, s).pack()),
        ("timetable_week", TtCb(TtView.WEEK, s).pack()),
        ("homework", HwCb(HwView.DAY, s).pack()),
        ("attendance", AtCb(AtView.WEEK, s).pack()),
        ("nav_marks", MenuCb(MenuArea.MARKS).pack()),
        ("nav_timetable", MenuCb(MenuArea.TIMETABLE).pack()),
        ("menu", MenuCb(MenuArea.MENU).pack()),
        ("unhandled_button", "zz:1"),
    ]


class _Feed:
    """Update dicts as Telegram sends them; a button press is on a message the bot sent."""

    # Telegram never repeats a query id (a repeated one is refused as too old).
    _query_ids = itertools.count(1)

    def __init__(self) -> None:
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)

    def _user(self, telegram_id: int, locale: str) -> dict[str, Any]:
        return {"id": telegram_id, "is_bot": False, "first_name": "Тест",
                "language_code": locale}

    def message(self, telegram_id: int, text_: str, locale: str = "ru") -> Update:
        entities = ([{"type": "bot_command", "offset": 0, "length": len(text_.split()[0])}]
                    if text_.startswith("/") else None)
        body: dict[str, Any] = {
            "message_id": next(self._message_ids), "date": int(time.time()),
            "chat": {"id": telegram_id, "type": "private", "first_name": "Тест"},
            "from": self._user(telegram_id, locale), "text": text_}
        if entities:
            body["entities"] = entities
        return {"update_id": next(self._update_ids), "message": body}

    def press(self, telegram_id: int, data: str, locale: str = "ru") -> Update:
        on = {"message_id": 1, "date": int(time.time()),
              "chat": {"id": telegram_id, "type": "private", "first_name": "Тест"},
              "from": {"id": 42, "is_bot": True, "first_name": "Diary",
                       "username": "diary_demo_bot"},
              "text": "…",
              "reply_markup": {"inline_keyboard": [[{"text": "…", "callback_data": data}]]}}
        return {"update_id": next(self._update_ids), "callback_query": {
            "id": f"q{next(self._query_ids)}", "from": self._user(telegram_id, locale),
            "chat_instance": f"ci{telegram_id}", "message": on, "data": data}}


def _workload(identities: list[tuple[int, int]], count: int,
              feed: _Feed) -> list[list[tuple[Kind, Update]]]:
    """`count` updates spread over the chats, as one ordered list per chat."""
    per_chat: list[list[tuple[Kind, Update]]] = [[] for _ in identities]
    # Each chat starts at another view, so even a short run covers every kind.
    cycles = [itertools.islice(itertools.cycle(_views(student)), slot, None)
              for slot, (_, student) in enumerate(identities)]
    for i in range(count):
        slot = i % len(identities)
        telegram_id, _ = identities[slot]
        locale = "en" if telegram_id % 4 == 0 else "ru"
        if i % 13 == 5:
            per_chat[slot].append(("command_marks", feed.message(telegram_id, "/marks", locale)))
        elif i % 29 == 7:
            per_chat[slot].append(("unhandled_text", feed.message(telegram_id, "привет", locale)))
        else:
            kind, data = next(cycles[slot])
            per_chat[slot].append((kind, feed.press(telegram_id, data, locale)))
    return per_chat


def _register_messages(session: Any, bot: Bot, identities: list[tuple[int, int]]) -> None:
    """The message every press is on, as the bot sent it earlier, so it can be edited."""
    from aiogram.types import Chat, InlineKeyboardButton, InlineKeyboardMarkup, User

    me = User(id=bot.id, is_bot=True, first_name="Diary", username="diary_demo_bot")
    for telegram_id, _ in identities:
        session.messages[(telegram_id, 1)] = Message(
            message_id=1, date=dt.datetime.now(dt.UTC), text="…", from_user=me,
            chat=Chat(id=telegram_id, type="private", first_name="Тест"),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
                text="…", callback_data="m:menu")]])).as_(bot)


# --- running --------------------------------------------------------------------------------


async def _run(dp: Dispatcher, bot: Bot, per_chat: list[list[tuple[Kind, Update]]],
               in_flight: int) -> tuple[float, dict[Kind, list[float]]]:
    """Feed every chat's updates in order, `in_flight` chats at a time; (seconds, ms by kind)."""
    timings: dict[Kind, list[float]] = {}
    total = sum(len(c) for c in per_chat)
    queue: asyncio.Queue[list[tuple[Kind, Update]]] = asyncio.Queue()
    for chat in per_chat:
        queue.put_nowait(chat)

    async def lane() -> None:
        while not queue.empty():
            for kind, update in queue.get_nowait():
                started = time.perf_counter()
                await dp.feed_raw_update(bot, update)
                timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    if in_flight <= 1:
        # One update at a time across all chats, interleaved as they would arrive.
        for step in itertools.zip_longest(*per_chat):
            for item in step:
                if item is not None:
                    begun = time.perf_counter()
                    await dp.feed_raw_update(bot, item[1])
                    timings.setdefault(item[0], []).append(
                        (time.perf_counter() - begun) * 1000)
    else:
        await asyncio.gather(*(lane() for _ in range(min(in_flight, len(per_chat)))))
    elapsed = time.perf_counter() - started
    assert sum(len(v) for v in timings.values()) == total
    return elapsed, timings


def _echo_dispatcher(lookup: Callable[[int], Awaitable[Any]] | None) -> Dispatcher:
    dp = Dispatcher()
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        if lookup is not None and message.from_user is not None:
            await lookup(message.from_user.id)
        await message.answer(message.text or "…")

    @router.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        if lookup is not None:
            await lookup(query.from_user.id)
        await query.answer()

    dp.include_router(router)
    return dp


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def measure(url: str, *, chats: int = CHATS, concurrent: int = CONCURRENT_UPDATES,
                  sequential: int = SEQUENTIAL_UPDATES,
                  profile: str | None = None) -> dict[str, Any]:
    """Run the three dispatchers on `url` (already prepared) and return the figures;
    `profile` names a file for cProfile's stats of the real app's sequential run."""
    from bot.app import build_bot, build_dispatcher, settle_heap
    from bot.settings import Settings
    from services import clock
    from services.db import make_engine, make_sessionmaker
    from services.models import Account
    from telegram_fakes.local_session import LocalSession

    identities = await _identities(url)
    engine = make_engine(url)
    maker = make_sessionmaker(engine)

    async def select_account(telegram_id: int) -> Any:
        async with maker() as session:
            return await session.scalar(select(Account.id)
                                        .where(Account.telegram_id == telegram_id))

    # The throttle stays in the chain (its cost is part of an update's), with a burst no
    # bench chat reaches: a dropped update would be measured as a very cheap one.
    settings = Settings(_env_file=None, bot_username="diary_demo_bot",
                        code_secret="bench-code-secret", throttle_burst=10**9)
    results: dict[str, Any] = {}
    kinds: dict[Kind, list[float]] = {}
    try:
        with clock.frozen(NOW):
            builds: dict[str, Callable[[], Dispatcher]] = {
                "echo": lambda: _echo_dispatcher(None),
                "echo_select": lambda: _echo_dispatcher(select_account),
                "real": lambda: build_dispatcher(maker, settings),
            }
            for name, build in builds.items():
                figures: dict[str, float] = {}
                dp = build()  # once: the app's routers attach to one dispatcher only
                for mode, count, in_flight in (("concurrent", concurrent, chats),
                                               ("sequential", sequential, 1)):
                    session = LocalSession()
                    bot = build_bot("42:BENCH", session=session)
                    _register_messages(session, bot, identities)
                    warm = _workload(identities, len(identities) * 3, _Feed())
                    await _run(dp, bot, warm, in_flight)  # caches, pool, prepared statements
                    settle_heap()  # as `diary run` does once it is up
                    per_chat = _workload(identities, count, _Feed())
                    profiler = (cProfile.Profile() if profile and name == "real"
                                and mode == "sequential" else None)
                    if profiler:
                        profiler.enable()
                    elapsed, timings = await _run(dp, bot, per_chat, in_flight)
                    if profiler and profile:
                        profiler.disable()
                        profiler.dump_stats(profile)
                    figures[f"{mode}_updates_per_s"] = round(count / elapsed, 1)
                    if name == "real" and mode == "sequential":
                        for kind, values in timings.items():
                            kinds.setdefault(kind, []).extend(values)
                results[name] = figures
    finally:
        await engine.dispose()
    out: dict[str, Any] = {"chats": len(identities), "updates": {
        "concurrent": concurrent, "sequential": sequential}, **results}
    for mode in ("concurrent", "sequential"):
        key = f"{mode}_updates_per_s"
        out[f"ratio_real_to_echo_{mode}"] = round(results["real"][key] / results["echo"][key], 3)
        out[f"ratio_real_to_echo_select_{mode}"] = round(
            results["real"][key] / results["echo_select"][key], 3)
    out["goals"] = {"real_to_echo": 0.2, "real_to_echo_select": 0.5}
    out["real_ms_by_kind_sequential"] = {
        kind: {"n": len(v), "p50": round(statistics.median(v), 2),
               "p95": round(_quantile(v, 0.95), 2)} for kind, v in sorted(kinds.items())}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=CHATS)
    parser.add_argument("--concurrent", type=int, default=CONCURRENT_UPDATES)
    parser.add_argument("--sequential", type=int, default=SEQUENTIAL_UPDATES)
    parser.add_argument("--profile", metavar="FILE",
                        help="write cProfile stats of the real app's sequential run here")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    from bot.bench import _database

    with _database() as url:
        asyncio.run(prepare(url, args.chats))
        result = asyncio.run(measure(url, chats=args.chats, concurrent=args.concurrent,
                                     sequential=args.sequential, profile=args.profile))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
