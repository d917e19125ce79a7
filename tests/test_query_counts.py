"""The heaviest marks views run a fixed number of SQL statements: adding 200 marks for the
student (or the class) changes nothing in the count. Statements are counted on the engine
the Dispatcher uses, for whole updates (middlewares and access checks included)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, insert, text

from handlers.marks import MarksCb
from handlers.menu import ChildCb
from handlers.staff import StaffCb
from services.models import Mark
from tests.conftest import DEMO_TODAY, BotEnv
from tests.test_marks_views import family_student, rows
from tests.test_staff_views import class_id, subject_id

GUARDIAN = 1001
MATHS = 2002
# Per update (middlewares, access checks and audit rows included), whatever the number of
# marks: family views read the account, its roles and the view; staff views also audit.
MAX_FAMILY = 10
MAX_STAFF = 16


class Counter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)


@pytest.fixture
def counter(bot_env: BotEnv) -> Iterator[Counter]:
    found = Counter()
    engine = bot_env.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", found)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", found)


async def add_marks(env: BotEnv, student_ids: list[int], subject: int, count: int) -> None:
    """`count` more maths marks this quarter, spread over the students."""
    start = dt.date(2026, 11, 5)
    async with env.db.sessionmaker.begin() as s:
        school, work_type = (await s.execute(text(
            "SELECT st.school_id, w.id FROM students st JOIN work_types w "
            "ON w.school_id = st.school_id AND w.code = 'answer' WHERE st.id = :s"),
            {"s": student_ids[0]})).one()
        await s.execute(insert(Mark), [{
            "school_id": school, "student_id": student_ids[i % len(student_ids)],
            "subject_id": subject, "work_type_id": work_type,
            "date": start + dt.timedelta(days=i % (DEMO_TODAY - start).days),
            "value": 2 + i % 4, "weight": 1 + i % 3} for i in range(count)])


async def measure(counter: Counter, client: Any, callback: str) -> int:
    counter.statements.clear()
    await client.click(callback)
    return len(counter.statements)


async def test_family_views_run_a_fixed_number_of_statements(bot_env: BotEnv,
                                                             counter: Counter) -> None:
    misha = await family_student(bot_env, GUARDIAN)
    client = bot_env.client(GUARDIAN)
    await client.send("/menu")
    views = [MarksCb(v="r", s=misha).pack(), MarksCb(v="r", s=misha, p=2).pack(),
             MarksCb(v="o", s=misha).pack(), MarksCb(v="s", s=misha).pack(),
             MarksCb(v="f", s=misha).pack()]
    before = [await measure(counter, client, v) for v in views]
    assert max(before) <= MAX_FAMILY, before

    maths = await subject_id(bot_env, "Математика")
    await add_marks(bot_env, [misha], maths, 200)
    subject_view = MarksCb(v="m", s=misha, j=maths).pack()
    after = [await measure(counter, client, v) for v in views]
    assert after == before
    # The overview really shows the new marks (the same statements, more rows).
    await client.click(MarksCb(v="o", s=misha).pack())
    line = next(x for x in client.last_text.splitlines() if x.startswith("Математика:"))
    assert len(line.split("·")[0].split()) > 200
    assert len(client.last_text) <= 4096
    assert await measure(counter, client, subject_view) <= MAX_FAMILY
    # The subject view keeps whole lines within Telegram's limit and says how many are left.
    assert len(client.last_text) <= 4096 and "и ещё" in client.last_text


async def test_class_table_runs_a_fixed_number_of_statements(bot_env: BotEnv,
                                                             counter: Counter) -> None:
    five_a = await class_id(bot_env, "5А")
    maths = await subject_id(bot_env, "Математика")
    client = bot_env.client(MATHS)
    await client.send("/menu")
    table = StaffCb(v="t", c=five_a, j=maths).pack()
    summary_of = (await rows(bot_env, "SELECT id FROM students WHERE class_id = :c "
                             "ORDER BY id LIMIT 1", c=five_a))[0].id
    views = [table, StaffCb(v="u", s=summary_of).pack(), StaffCb(v="l", c=five_a).pack()]
    before = [await measure(counter, client, v) for v in views]
    assert max(before) <= MAX_STAFF, before

    students = [r.id for r in await rows(bot_env, "SELECT id FROM students WHERE class_id = :c",
                                         c=five_a)]
    await add_marks(bot_env, students, maths, 200)
    await add_marks(bot_env, [summary_of], maths, 200)
    after = [await measure(counter, client, v) for v in views]
    assert after == before
    await client.click(table)
    assert len(client.last_text) <= 4096


# --- the fast path: no transaction for a read, no account write for a known chat ----------


class Transactions:
    """Counts the transactions asyncpg really opens and commits (the BEGIN and COMMIT round
    trips), around the driver's own Transaction, which still does the work."""

    def __init__(self) -> None:
        self.begun = 0
        self.committed = 0


@pytest.fixture
def transactions(monkeypatch: pytest.MonkeyPatch) -> Transactions:
    from asyncpg.transaction import Transaction

    seen = Transactions()
    start, commit = Transaction.start, Transaction.commit

    async def counted_start(self: Transaction) -> None:
        seen.begun += 1
        await start(self)

    async def counted_commit(self: Transaction) -> None:
        seen.committed += 1
        await commit(self)

    monkeypatch.setattr(Transaction, "start", counted_start)
    monkeypatch.setattr(Transaction, "commit", counted_commit)
    return seen


def account_writes(counter: Counter) -> list[str]:
    return [s for s in counter.statements
            if s.lstrip().upper().startswith(("INSERT INTO ACCOUNTS", "UPDATE ACCOUNTS"))]


async def test_a_read_only_view_opens_no_transaction(bot_env: BotEnv, counter: Counter,
                                                     transactions: Transactions) -> None:
    misha = await family_student(bot_env, GUARDIAN)
    client = bot_env.client(GUARDIAN)
    await client.send("/menu")  # the account's first contact here may refresh last_seen_at
    begun = transactions.begun
    counter.statements.clear()
    await client.click(MarksCb(v="r", s=misha).pack())
    assert (client.last_text or "").startswith("📊 Оценки: Михаил")
    assert counter.statements, "the view read the database"
    assert transactions.begun == begun  # no BEGIN, so no COMMIT either

    # A press that changes something still runs in one committed transaction.
    olya = int(await bot_env.scalar(
        "SELECT l.student_id FROM account_links l JOIN accounts a ON a.id = l.account_id "
        "WHERE a.telegram_id = :t AND l.student_id <> :s", t=GUARDIAN, s=misha))
    begun, committed = transactions.begun, transactions.committed
    await client.click(ChildCb(student_id=olya).pack())
    assert transactions.begun == begun + 1 and transactions.committed == committed + 1
    assert await bot_env.scalar("SELECT active_student_id FROM accounts WHERE telegram_id = :t",
                                t=GUARDIAN) == olya


async def test_a_known_chat_does_not_write_its_account_on_every_update(
        bot_env: BotEnv, counter: Counter) -> None:
    from services import clock
    from services.accounts import SEEN_EVERY
    from tests.conftest import DEMO_NOW

    client = bot_env.client(5005)
    await client.send("/menu")
    assert len(account_writes(counter)) == 1  # a first contact creates the account
    created = await bot_env.scalar("SELECT count(*) FROM accounts WHERE telegram_id = 5005")
    assert created == 1

    counter.statements.clear()
    await client.send("/menu")
    await client.send("/help")
    assert account_writes(counter) == []

    # Seen again after a while: last_seen_at moves on (retention and the activity report
    # read it), once.
    later = DEMO_NOW + SEEN_EVERY
    with clock.frozen(later):
        counter.statements.clear()
        await client.send("/menu")
        await client.send("/menu")
        assert len(account_writes(counter)) == 1
    seen = await bot_env.scalar("SELECT last_seen_at FROM accounts WHERE telegram_id = 5005")
    assert seen == later

    # A chat that had blocked the bot and comes back is active again at once.
    async with bot_env.db.sessionmaker.begin() as s:
        await s.execute(text("UPDATE accounts SET is_active = false, deactivated_at = now() "
                             "WHERE telegram_id = 5005"))
    with clock.frozen(later):
        await client.send("/menu")
    assert await bot_env.scalar(
        "SELECT is_active AND deactivated_at IS NULL FROM accounts WHERE telegram_id = 5005")
