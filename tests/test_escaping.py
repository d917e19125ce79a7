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


async def test_every_push_shows_journal_text_as_typed(bot_env: BotEnv) -> None:
    """A mark with a comment, a replaced lesson and new homework, all about the poisoned
    school, reach the guardian's chat through the real worker: sent, and shown as typed."""
    import datetime as dt

    from bot.delivery import DeliveryWorker
    from services import journal

    await poison(bot_env.db)
    student = int(await bot_env.scalar(
        "SELECT active_student_id FROM accounts WHERE telegram_id = 1001"))
    async with bot_env.db.sessionmaker.begin() as s:
        lesson = (await s.execute(text(
            "SELECT l.id, l.subject_id, l.class_id FROM lessons l JOIN students st "
            "ON st.class_id = l.class_id WHERE st.id = :s AND l.date = :d "
            "AND l.subgroup_id IS NULL ORDER BY l.slot LIMIT 1"),
            {"s": student, "d": dt.date(2026, 11, 24)})).one()
        work_type = await s.scalar(text("SELECT id FROM work_types WHERE code = 'answer' "
                                        "AND school_id = (SELECT school_id FROM students "
                                        "WHERE id = :s)"), {"s": student})
        substitute = await s.scalar(text("SELECT id FROM staff WHERE school_id = (SELECT "
                                         "school_id FROM students WHERE id = :s) LIMIT 1"),
                                    {"s": student})
        await journal.add_mark(s, student_id=student, subject_id=lesson.subject_id,
                               work_type_id=work_type, date=dt.date(2026, 11, 23), value=5,
                               comment="Молодец " + POISON)
        await journal.change_lesson(s, lesson.id, status="replaced", substitute_id=substitute)
        await journal.set_homework(s, class_id=lesson.class_id, subject_id=lesson.subject_id,
                                   text="Задача " + POISON, due_on=dt.date(2026, 11, 25),
                                   assigned_on=dt.date(2026, 11, 23))
    start = bot_env.session.requests[-1].seq if bot_env.session.requests else 0
    await DeliveryWorker(bot_env.bot, bot_env.db.sessionmaker, worker_id="esc").run_once()
    sent = [r for r in bot_env.session.requests if r.seq > start and r.chat_id == 1001]
    assert sent and all(r.error is None for r in sent), [r.error for r in sent]
    assert any(POISON in (r.text or "") for r in sent)
