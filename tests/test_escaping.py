"""Every text that comes from the journal is escaped everywhere. The demo school's text
fields all end in `<i>&x`; every screen each demo identity can reach by pressing buttons
goes through the real dispatcher to a session that parses HTML as Telegram does (bad HTML
is refused there, so an unescaped value fails the request), and the value must show as
typed."""

from __future__ import annotations

from collections import deque

from sqlalchemy import text

from services.demo_seed import DEMO_ACCOUNTS
from tests.conftest import BotEnv, Db

POISON = "<i>&x"
# (table, column): every journal-sourced text the diary shows.
POISONED = [("schools", "name"), ("classes", "name"), ("subjects", "name"),
            ("subjects", "short_name"), ("staff", "last_name"), ("staff", "first_name"),
            ("staff", "middle_name"), ("students", "last_name"), ("students", "first_name"),
            ("students", "middle_name"), ("guardians", "last_name"),
            ("guardians", "first_name"), ("lessons", "topic"), ("lessons", "room"),
            ("lessons", "material"), ("homework", "text"), ("work_types", "name"),
            ("periods", "name"), ("marks", "comment")]
SKIPPED_ACTIONS = ("unlink", "withdraw")  # they end the access the walk is about
MAX_PRESSES = 150


async def poison(db: Db) -> None:
    async with db.sessionmaker.begin() as s:
        for table, column in POISONED:
            await s.execute(text(f"UPDATE {table} SET {column} = {column} || :p "
                                 f"WHERE {column} IS NOT NULL"), {"p": POISON})


async def walk(env: BotEnv, user_id: int) -> list[str]:
    """Press every reachable button once (breadth first); return every text shown."""
    client = env.client(user_id)
    shown: list[str] = []
    queue: deque[str] = deque()
    seen: set[str] = set()

    def collect(records: list) -> None:
        for record in records:
            if record.error is not None and "not modified" not in str(record.error):
                raise AssertionError((record.method, record.error))
            if record.text:
                shown.append(record.text)
            for _, data in record.buttons:
                if data and not data.startswith("http") and data not in seen \
                        and not any(a in data for a in SKIPPED_ACTIONS):
                    seen.add(data)
                    queue.append(data)

    def since(start: int) -> list:
        # Every request, refused ones too (the client's own answer lists only the ok ones).
        return [r for r in env.session.requests if r.seq > start]

    def last_seq() -> int:
        return env.session.requests[-1].seq if env.session.requests else 0

    start = last_seq()
    await client.send("/menu")
    collect(since(start))
    presses = 0
    while queue and presses < MAX_PRESSES:
        start = last_seq()
        await client.click(queue.popleft())
        collect(since(start))
        presses += 1
    return shown


async def test_every_screen_shows_journal_text_as_typed(bot_env: BotEnv) -> None:
    await poison(bot_env.db)
    for account in DEMO_ACCOUNTS:
        shown = await walk(bot_env, account.telegram_id)
        assert shown, account.label
        assert not any("Что-то пошло не так" in x for x in shown), account.label
        assert any(POISON in x for x in shown), account.label
