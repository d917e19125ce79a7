"""The school's papers reach staff on their own: the director hears on the month's first
working day that last month's completion report is ready; class teachers hear every two
weeks that the paper extracts are. Each run happens once however often the scheduler
ticks, and across scheduler processes."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bot.scheduler import run_school_jobs
from screens.i18n import translator
from screens.pushes import PushRow, compose
from services import clock
from services.models import Account, AccountLink, LinkKind
from services.reports import schedule
from services.working_days import working_days
from tests.conftest import Db

MOSCOW = ZoneInfo("Europe/Moscow")
DIRECTOR_CHAT = 2099
CLASS_TEACHER_5A = 2001


async def _rows(db: Db, push_type: str) -> list[Any]:
    async with db.sessionmaker() as s:
        return list((await s.execute(text(
            "SELECT id, kind, payload, student_id, event_at, chat_id FROM notifications "
            "WHERE payload->>'type' = :t ORDER BY id"), {"t": push_type})).all())


async def _link_director(db: Db) -> None:
    async with db.sessionmaker.begin() as s:
        staff_id, school_id = (await s.execute(text(
            "SELECT st.id, st.school_id FROM staff st JOIN staff_roles r ON r.staff_id = st.id "
            "JOIN schools sc ON sc.id = st.school_id WHERE r.role = 'director' "
            "AND sc.external_id = 'demo-school'"))).one()
        account = Account(telegram_id=DIRECTOR_CHAT, chat_id=DIRECTOR_CHAT,
                          last_seen_at=clock.now())
        s.add(account)
        await s.flush()
        s.add(AccountLink(account_id=account.id, kind=LinkKind.STAFF, school_id=school_id,
                          staff_id=staff_id))


async def _tick(db: Db, day: dt.date, at: dt.time) -> None:
    with clock.frozen(dt.datetime.combine(day, at, tzinfo=MOSCOW)):
        await run_school_jobs(db.sessionmaker)


async def test_the_director_hears_of_last_month_on_the_first_working_day(demo_db: Db) -> None:
    await _link_director(demo_db)
    # Tuesday 1 December 2026 is a working day: before 08:00 nothing, then once.
    await _tick(demo_db, dt.date(2026, 12, 1), dt.time(7, 30))
    assert await _rows(demo_db, "monthly_completion") == []
    for at in (dt.time(8, 5), dt.time(8, 30), dt.time(12, 0)):
        await _tick(demo_db, dt.date(2026, 12, 1), at)
    rows = await _rows(demo_db, "monthly_completion")
    assert [r.chat_id for r in rows] == [DIRECTOR_CHAT]
    [message] = compose([PushRow.from_stored(r.id, r.kind, r.payload, r.student_id, r.event_at)
                         for r in rows], translator("ru"))
    assert "Заполнение журнала за ноябрь 2026" in message.text
    await _tick(demo_db, dt.date(2026, 12, 2), dt.time(8, 30))
    assert len(await _rows(demo_db, "monthly_completion")) == 1


async def test_the_month_starts_after_the_new_year_holidays(demo_db: Db) -> None:
    """1 January is a public holiday and the school is on winter holidays until the 11th:
    the first working day of January is the 12th."""
    await _link_director(demo_db)
    for day in (dt.date(2027, 1, 1), dt.date(2027, 1, 11)):
        await _tick(demo_db, day, dt.time(8, 30))
    assert await _rows(demo_db, "monthly_completion") == []
    await _tick(demo_db, dt.date(2027, 1, 12), dt.time(8, 30))
    [row] = await _rows(demo_db, "monthly_completion")
    assert row.payload["month"] == "2026-12-01"


async def test_paper_extracts_are_announced_once_a_fortnight(demo_db: Db) -> None:
    async with demo_db.sessionmaker() as s:
        school_id = int(await s.scalar(text(
            "SELECT id FROM schools WHERE external_id = 'demo-school'")))
        days = await working_days(s, school_id)
        due = []
        day = dt.date(2026, 11, 23)
        while len(due) < 2:
            if await schedule.extracts_run_key(s, school_id, day, days.is_working_day):
                due.append(day)
            day += dt.timedelta(days=1)
    first, second = due
    assert (second - first).days >= 14 - 3  # a fortnight, give or take a day off
    for at in (dt.time(8, 5), dt.time(9, 0)):
        await _tick(demo_db, first, at)
    await _tick(demo_db, first + dt.timedelta(days=1), dt.time(8, 30))
    rows = await _rows(demo_db, "paper_extracts")
    assert rows and len({r.payload["class_id"] for r in rows}) == len(rows)  # once a class
    assert CLASS_TEACHER_5A in {r.chat_id for r in rows}
