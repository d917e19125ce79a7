"""Delivery of the outbox: the real worker and a real aiogram Bot talking HTTP to the fake
Bot API server (which enforces Telegram's limits and injects faults), on a real database.

No assertion here is about speed; the only times asserted are the gaps Telegram's limits
require (one second into a chat, retry_after after a 429), read from the fake's records."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from sqlalchemy import select, text

from bot.app import build_bot
from bot.delivery import DeliveryWorker
from bot.pacing import ChatClock as _ChatClock
from bot.pacing import Pacer as _Pacer
from screens.i18n import translator
from screens.pushes import PushRow, compose
from services import clock, delivery_queue, outbox
from services.models import Account, Notification
from services.push_events import HomeworkEvent, MarkEvent
from telegram_fakes.server import FakeTelegram, Recorded
from tests.conftest import Db

_keys = itertools.count()


@pytest.fixture(scope="module")
async def _server() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as tg:
        yield tg


@pytest.fixture(scope="module")
async def tbot(_server: FakeTelegram) -> AsyncIterator[Bot]:
    bot = build_bot("42:TEST", api_url=_server.url)
    yield bot
    await bot.session.close()


@pytest.fixture
def tg(_server: FakeTelegram) -> FakeTelegram:
    _server.reset()
    _server.enforce_limits = True
    _server.global_per_second = 30
    _server.per_chat_interval = 1.0
    _server.group_per_minute = 20
    return _server


def worker(tbot: Bot, db: Db, **kwargs: Any) -> DeliveryWorker:
    kwargs.setdefault("backoff_base", 0.2)
    return DeliveryWorker(tbot, db.sessionmaker, **kwargs)


async def account(db: Db, chat_id: int, locale: str = "ru") -> int:
    async with db.sessionmaker.begin() as s:
        acc = Account(telegram_id=abs(chat_id), chat_id=chat_id, locale=locale)
        s.add(acc)
        await s.flush()
        return acc.id


async def push_marks(db: Db, account_id: int, chat_id: int, subjects: list[str],
                     student: str = "Ким Миша", due_in: float = 0.0) -> list[int]:
    """Queue one new-mark push per subject (each its own event), due `due_in` s from now."""
    async with db.sessionmaker.begin() as s:
        for n, subject in enumerate(subjects):
            await outbox.enqueue(
                s, account_id=account_id, chat_id=chat_id,
                event=MarkEvent(type="mark_added", student=student, subject=subject,
                                work_type="Ответ на уроке", weight=1,
                                date=dt.date(2026, 11, 23), value=5 - n % 3),
                dedupe_key=f"test:{next(_keys)}",
                due_at=clock.now() + dt.timedelta(seconds=due_in),
                event_at=clock.now() - dt.timedelta(minutes=len(subjects) - n),
            )
        ids = await s.scalars(select(Notification.id).where(Notification.chat_id == chat_id)
                              .order_by(Notification.id.desc()).limit(len(subjects)))
        return sorted(ids)


async def rows(db: Db, chat_id: int | None = None) -> list[Any]:
    sql = ("SELECT id, chat_id, status, attempts, telegram_message_id, last_error "
           "FROM notifications" + (" WHERE chat_id = :c" if chat_id is not None else "")
           + " ORDER BY id")
    async with db.sessionmaker() as s:
        return list((await s.execute(text(sql), {"c": chat_id})).all())


async def drain(w: DeliveryWorker, db: Db, rounds: int = 100) -> None:
    """Run passes until nothing is pending (retries come due on the database clock)."""
    for _ in range(rounds):
        await w.run_once()
        async with db.sessionmaker() as s:
            if not await delivery_queue.pending_count(s):
                return
        await asyncio.sleep(0.1)
    raise AssertionError("queue not drained")


def accepted(tg: FakeTelegram, chat_id: int | None = None) -> list[Recorded]:
    return tg.sent("sendMessage", chat_id)


# --- grouping and locale -------------------------------------------------------------------


async def test_a_burst_of_one_chat_goes_out_as_one_message(
    tg: FakeTelegram, tbot: Bot, empty_db: Db,
) -> None:
    ru = await account(empty_db, 501)
    en = await account(empty_db, 502, locale="en")
    ru_rows = await push_marks(empty_db, ru, 501, ["Математика", "Физика", "История"])
    en_rows = await push_marks(empty_db, en, 502, ["Maths", "Biology"], student="Kim Misha")

    assert await worker(tbot, empty_db).run_once() == 2

    [ru_msg] = accepted(tg, 501)
    [en_msg] = accepted(tg, 502)
    ru_text = ru_msg.params["text"]
    assert "Ким Миша" in ru_text and "выставлены 3 оценки" in ru_text
    assert all(s in ru_text for s in ("Математика", "Физика", "История"))
    assert ru_msg.params["parse_mode"] == "HTML"
    en_text = en_msg.params["text"]
    assert "Kim Misha" in en_text and "2 new marks" in en_text
    # Each row records the message that carried it.
    for chat, ids, msg in ((501, ru_rows, ru_msg), (502, en_rows, en_msg)):
        got = await rows(empty_db, chat)
        assert [r.id for r in got] == ids
        assert {r.status for r in got} == {"sent"}
        assert {r.telegram_message_id for r in got} == {_message_id(tg, msg)}
        assert {r.attempts for r in got} == {1}


def _message_id(tg: FakeTelegram, rec: Recorded) -> int:
    ids = [mid for (chat, mid), m in tg._messages.items()
           if chat == rec.chat_id and m.get("text") and m.get("from")]
    assert len(ids) == 1
    return ids[0]


async def test_rows_not_yet_due_wait(tg: FakeTelegram, tbot: Bot, empty_db: Db) -> None:
    acc = await account(empty_db, 503)
    await push_marks(empty_db, acc, 503, ["Математика"], due_in=3600)
    assert await worker(tbot, empty_db).run_once() == 0
    assert accepted(tg) == []
    assert {r.status for r in await rows(empty_db)} == {"pending"}


async def test_a_long_burst_is_split_and_every_row_rides_one_message(
    tg: FakeTelegram, tbot: Bot, empty_db: Db,
) -> None:
    acc = await account(empty_db, 504)
    async with empty_db.sessionmaker.begin() as s:
        for n in range(6):
            await outbox.enqueue(
                s, account_id=acc, chat_id=504,
                event=HomeworkEvent(type="homework_new", student="Ким Миша",
                                    subject=f"Предмет {n}", due_on=dt.date(2026, 11, 25),
                                    text=f"задание {n} " + "упражнение " * 130),
                dedupe_key=f"test:{next(_keys)}")

    await drain(worker(tbot, empty_db), empty_db)

    messages = accepted(tg, 504)
    assert len(messages) > 1
    assert all(len(m.params["text"]) <= 4096 for m in messages)
    texts = "\n".join(m.params["text"] for m in messages)
    for n in range(6):
        assert texts.count(f"задание {n} ") == 1
    got = await rows(empty_db, 504)
    assert {r.status for r in got} == {"sent"}
    # A row is marked with the message that carried it.
    by_message: dict[int, list[int]] = {}
    for r in got:
        by_message.setdefault(r.telegram_message_id, []).append(r.id)
    assert len(by_message) == len(messages)
    # One chat, several messages: one second apart at least (the fake's tolerance aside).
    gaps = [b.at - a.at for a, b in itertools.pairwise(messages)]
    assert min(gaps) >= tg.per_chat_interval - tg.tolerance


def test_plan_keeps_a_short_burst_in_one_message() -> None:
    now = clock.now()
    queued = [PushRow(
        i, MarkEvent(type="mark_added", student="Ким Миша", subject="Физика",
                     work_type="Тест", weight=2, date=dt.date(2026, 11, 23), value=4),
        None, now) for i in (7, 8)]
    [message] = compose(queued, translator("ru"))
    assert message.row_ids == (7, 8)
    assert "выставлены 2 оценки" in message.text


# --- Telegram's limits -----------------------------------------------------------------------


async def test_a_chat_gets_at_most_one_message_a_second(
    tg: FakeTelegram, tbot: Bot, empty_db: Db,
) -> None:
    acc = await account(empty_db, 505)
    other = await account(empty_db, 506)
    w = worker(tbot, empty_db)
    await push_marks(empty_db, acc, 505, ["Математика"])
    assert await w.run_once() == 1
    # New rows for the same chat right after: they wait for the chat's second to pass,
    # while another chat is not held up by it.
    await push_marks(empty_db, acc, 505, ["Физика"])
    await push_marks(empty_db, other, 506, ["Химия"])
    assert await w.run_once() == 2

    first, second = accepted(tg, 505)
    assert second.at - first.at >= tg.per_chat_interval - tg.tolerance
    [third] = accepted(tg, 506)
    assert third.at < second.at
    assert tg.count_429 == 0


def test_group_chats_get_at_most_twenty_messages_a_minute() -> None:
    chats = _ChatClock(interval=1.0, group_per_minute=20)
    for n in range(20):
        chats.note(-42, 100.0 + n * 1.5)
        chats.note(42, 100.0 + n * 1.5)
    assert chats.ready_at(-42) == pytest.approx(160.0)  # the first of the 20, a minute on
    assert chats.ready_at(42) == pytest.approx(100.0 + 19 * 1.5 + 1.0)
    assert chats.ready_at(43) == pytest.approx(1.0)


async def test_the_pacer_spaces_messages_and_holds_everyone_after_a_429() -> None:
    pacer = _Pacer(rate=20)
    loop = asyncio.get_running_loop()
    times = []
    for _ in range(5):
        await pacer.acquire()
        times.append(loop.time())
    assert min(b - a for a, b in itertools.pairwise(times)) >= 1 / 20 - pacer.slack
    pacer.pause(0.5)
    paused_at = loop.time()
    await pacer.acquire()
    assert loop.time() - paused_at >= 0.5


async def test_a_window_starts_late_when_its_first_message_was_held_up() -> None:
    """Telegram may count a message as late as its answer: a request held up on its way
    moves the next window on by that much (less the usual round trip)."""
    pacer = _Pacer(rate=1000, limit=3, window=0.2)
    loop = asyncio.get_running_loop()
    held_up = await pacer.acquire()
    quick = [await pacer.acquire() for _ in range(2)]
    for send in quick:
        pacer.done(send)
    await asyncio.sleep(0.1)
    pacer.done(held_up)
    await pacer.acquire()
    assert held_up.answered is not None
    quickest = min(s.answered - s.started for s in quick if s.answered is not None)
    assert loop.time() >= held_up.answered - quickest + 0.2


async def test_a_429_pauses_sending_for_retry_after_then_the_message_goes_once(
    tg: FakeTelegram, tbot: Bot, empty_db: Db,
) -> None:
    tg.global_per_second = 1  # a tiny limit: the second chat's message is refused with 429
    for chat in (507, 508):
        await push_marks(empty_db, await account(empty_db, chat), chat, ["Математика"])

    assert await worker(tbot, empty_db).run_once() == 2

    refused = [r for r in tg.rejected if r.status == 429]
    assert refused
    for r429 in refused:
        assert r429.retry_after is not None
        retry = next(r for r in tg.requests if r.chat_id == r429.chat_id and r.at > r429.at)
        assert retry.at - r429.at >= r429.retry_after
        # Nothing at all went out while the pause lasted (a request already on its way
        # when the 429 came back may land just after it).
        assert not [r for r in tg.requests
                    if r429.at + 0.3 < r.at < r429.at + r429.retry_after]
    for chat in (507, 508):
        assert len(accepted(tg, chat)) == 1
        assert {r.status for r in await rows(empty_db, chat)} == {"sent"}


# --- refusals and failures -------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["block_chat", "deactivate_chat", "missing_chat"])
async def test_a_chat_telegram_refuses_is_deactivated_and_its_rows_dropped(
    tg: FakeTelegram, tbot: Bot, empty_db: Db, fault: str,
) -> None:
    gone = await account(empty_db, 509)
    fine = await account(empty_db, 510)
    await push_marks(empty_db, gone, 509, ["Математика", "Физика"])
    await push_marks(empty_db, gone, 509, ["История"], due_in=3600)  # not due yet: dropped too
    await push_marks(empty_db, fine, 510, ["Химия"])
    getattr(tg, fault)(509)

    assert await worker(tbot, empty_db).run_once() == 1

    async with empty_db.sessionmaker() as s:
        refused = await s.get(Account, gone)
        kept = await s.get(Account, fine)
    assert refused is not None and kept is not None
    assert refused.is_active is False and refused.deactivated_at is not None
    assert kept.is_active is True
    assert [r.status for r in await rows(empty_db, 509)] == ["dropped"] * 3
    assert {r.status for r in await rows(empty_db, 510)} == {"sent"}
    assert accepted(tg, 509) == [] and len(accepted(tg, 510)) == 1
    # Rows queued for the inactive account later are dropped, not sent.
    await push_marks(empty_db, gone, 509, ["Биология"])
    assert await worker(tbot, empty_db).run_once() == 0
    assert {r.status for r in await rows(empty_db, 509)} == {"dropped"}


async def test_a_server_error_is_retried_later_and_sent_once(
    tg: FakeTelegram, tbot: Bot, empty_db: Db,
) -> None:
    acc = await account(empty_db, 511)
    await push_marks(empty_db, acc, 511, ["Математика", "Физика"])
    tg.fail_next(1, 502)
    w = worker(tbot, empty_db)

    assert await w.run_once() == 0
    failed = (await rows(empty_db, 511))[0]
    assert failed.status == "pending" and "TelegramServerError" in failed.last_error
    async with empty_db.sessionmaker() as s:  # backing off: not to be taken again at once
        assert await s.scalar(text(
            "SELECT bool_and(locked_until > clock_timestamp()) FROM notifications "
            "WHERE chat_id = 511"))
    await drain(w, empty_db)

    [refused] = [r for r in tg.requests if r.chat_id == 511 and not r.ok]
    [sent] = accepted(tg, 511)
    assert sent.at - refused.at >= 0.2  # the backoff after the first attempt
    got = await rows(empty_db, 511)
    assert {(r.status, r.attempts) for r in got} == {("sent", 2)}


async def test_retries_end_with_the_rows_dropped(
    tg: FakeTelegram, tbot: Bot, empty_db: Db,
) -> None:
    acc = await account(empty_db, 512)
    await push_marks(empty_db, acc, 512, ["Математика"])
    tg.fail_next(10, 500)
    await drain(worker(tbot, empty_db, max_attempts=3, backoff_base=0.05), empty_db)
    [row] = await rows(empty_db, 512)
    assert row.status == "dropped" and row.attempts == 3
    assert row.last_error.startswith("gave up")
    assert accepted(tg, 512) == []
    async with empty_db.sessionmaker() as s:
        still = await s.get(Account, acc)
    assert still is not None and still.is_active  # a flaky server is not the user's fault


# --- several workers ---------------------------------------------------------------------------


async def test_two_workers_on_one_queue_send_every_row_exactly_once(
    tg: FakeTelegram, tbot: Bot, empty_db: Db,
) -> None:
    chats = list(range(600, 640))
    for chat in chats:
        await push_marks(empty_db, await account(empty_db, chat), chat, ["Математика", "Химия"])
    # Two processes would each keep under the limit for its share: 2 × 14 < 30.
    workers = [worker(tbot, empty_db, worker_id=f"w{n}", rate=14, claim_limit=7)
               for n in (1, 2)]

    async def run(w: DeliveryWorker) -> int:
        total = 0
        while sent := await w.run_once():
            total += sent
        return total

    counts = await asyncio.gather(*(run(w) for w in workers))

    assert sum(counts) == len(chats) and all(counts)  # both took part
    for chat in chats:
        assert len(accepted(tg, chat)) == 1
    got = await rows(empty_db)
    assert len(got) == 2 * len(chats) and {r.status for r in got} == {"sent"}
    assert tg.count_429 == 0


async def test_run_forever_delivers_until_stopped(
    tg: FakeTelegram, tbot: Bot, empty_db: Db,
) -> None:
    for chat in (701, 702, 703):
        await push_marks(empty_db, await account(empty_db, chat), chat, ["Математика"])
    stop = asyncio.Event()
    w = worker(tbot, empty_db, idle_interval=0.05)
    task = asyncio.create_task(w.run_forever(stop))
    for _ in range(200):
        if len(accepted(tg)) == 3:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 10)
    assert {r.status for r in await rows(empty_db)} == {"sent"}


async def test_deliver_once_and_the_chat_locale(
    tg: FakeTelegram, tbot: Bot, empty_db: Db,
) -> None:
    acc = await account(empty_db, 704, locale="en")
    await push_marks(empty_db, acc, 704, ["Maths"], student="Kim Misha")
    async with empty_db.sessionmaker() as s:
        assert await delivery_queue.chat_locale(s, 704) == "en"
        assert await delivery_queue.chat_locale(s, 999) == "ru"
    assert await DeliveryWorker(tbot, empty_db.sessionmaker).run_once() == 1
    [msg] = accepted(tg, 704)
    assert "new mark" in msg.params["text"]


async def test_a_send_always_ends_before_the_lease_lapses(tbot: Bot, empty_db: Db) -> None:
    """The last moment a send may start, plus the request timeout, is still within the
    lease: a slow answer cannot let another worker claim and send the same rows."""
    for lease, timeout in ((60.0, 20.0), (120.0, 30.0)):
        w = worker(tbot, empty_db, lease=lease, request_timeout=timeout)
        assert lease - w.send_margin + w.request_timeout < lease
