"""Class- and school-wide events write their pushes set-based: the statements an event runs
do not grow with the number of families it reaches, and the rows are right (every family
once, the child's name in its own row, muted and withdrawn-consent families left out).

Schools are generated (bot/bench_fanout.py) side by side in one database, a small and a
large one, and the same event is counted on both."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import text

from bot.bench_fanout import EVENTS, StatementCounter, generate, ids
from services import forecast
from tests.conftest import Db

SMALL, LARGE = 901, 902
# Statements a whole event takes, the writes included (lookups, recipients with their
# settings, the outbox insert, audit): a constant, whatever the audience.
MAX_EVENT = 16
MAX_JOB = 16


async def _schools(db: Db, small: int, large: int, *, classes_of: int | None = None) -> None:
    """A small and a large school; `classes_of`: one class each, of that many and twice."""
    async with db.sessionmaker.begin() as s:
        await generate(s, SMALL, small, classes_of or 25)
        await generate(s, LARGE, large, 2 * classes_of if classes_of else 25)


async def _run(db: Db, name: str, school_id: int) -> tuple[int, int]:
    """(rows queued, statements) of one event in its own transaction."""
    with StatementCounter(db.engine) as counter:
        async with db.sessionmaker.begin() as s:
            queued = await EVENTS[name](s, school_id)
    return queued, counter.count


async def _rows(db: Db, school_id: int, kind: str) -> list[Any]:
    async with db.sessionmaker() as s:
        return list((await s.execute(text(
            "SELECT n.account_id, n.student_id, n.dedupe_key, n.payload FROM notifications n "
            "JOIN students st ON st.id = n.student_id "
            "WHERE st.school_id = :s AND n.kind = :k ORDER BY n.account_id"),
            {"s": school_id, "k": kind})).all())


async def _sql(db: Db, sql: str, **params: Any) -> None:
    async with db.sessionmaker.begin() as s:
        await s.execute(text(sql), params)


async def _mute(db: Db, account_id: int, kinds: list[str], student_id: int | None = None,
                ) -> None:
    """The chat's defaults (or, with `student_id`, its settings for that child)."""
    await _sql(db, "INSERT INTO notification_preferences (account_id, student_id, digest,"
               " digest_time, muted_kinds, muted_subject_ids, hide_values, family_summary)"
               " VALUES (:a, :s, false, '19:00', CAST(:k AS jsonb), '[]', false, false)",
               a=account_id, s=student_id, k=str(kinds).replace("'", '"'))


async def _withdraw(db: Db, student_id: int) -> None:
    await _sql(db, "INSERT INTO consents (account_id, student_id, guardian_id, decision,"
               " text_version, source) VALUES (:s, :s, :s, 'withdrawn', 1, 'bot')",
               s=student_id)


def _class_families(school_id: int, size: int) -> set[int]:
    """The accounts of the first class's families (each student's id is its family's)."""
    return {ids(school_id) + k for k in range(1, size + 1)}


async def test_class_notice_statements_do_not_grow_with_the_class(empty_db: Db) -> None:
    await _schools(empty_db, 30, 60, classes_of=30)
    await _schools_differ(empty_db)
    muted, withdrawn = ids(SMALL) + 3, ids(SMALL) + 7
    await _mute(empty_db, muted, ["notices"])
    await _withdraw(empty_db, withdrawn)

    small_rows, small = await _run(empty_db, "notice_class", SMALL)
    large_rows, large = await _run(empty_db, "notice_class", LARGE)
    assert (small_rows, large_rows) == (28, 60)
    assert small == large <= MAX_EVENT, (small, large)

    async with empty_db.sessionmaker() as s:
        rows = (await s.execute(text(
            "SELECT account_id, dedupe_key, payload FROM notifications "
            "WHERE kind = 'notice' AND account_id BETWEEN :lo AND :hi"),
            {"lo": ids(SMALL), "hi": ids(SMALL) + 99_999})).all()
    assert {r.account_id for r in rows} == _class_families(SMALL, 30) - {muted, withdrawn}
    assert len({r.dedupe_key for r in rows}) == len(rows) == 28
    assert {r.payload["text"] for r in rows} == {"Родительское собрание в четверг"}
    # Every family got a receipt to acknowledge, the muted one too (it may read the list).
    receipts = await _count(empty_db, "SELECT count(*) FROM notice_receipts r JOIN"
                            " class_notices n ON n.id = r.notice_id WHERE n.school_id = :s",
                            s=SMALL)
    assert receipts == 29


async def _schools_differ(db: Db) -> None:
    async with db.sessionmaker() as s:
        sizes = (await s.execute(text(
            "SELECT school_id, count(*) FROM students WHERE class_id IN (:a, :b) "
            "GROUP BY school_id ORDER BY school_id"),
            {"a": ids(SMALL) + 1, "b": ids(LARGE) + 1})).all()
    assert [tuple(r) for r in sizes] == [(SMALL, 30), (LARGE, 60)]


async def _count(db: Db, sql: str, **params: Any) -> int:
    async with db.sessionmaker() as s:
        return int(await s.scalar(text(sql), params) or 0)


async def test_lesson_change_and_homework_reach_the_class_in_fixed_statements(
        empty_db: Db) -> None:
    await _schools(empty_db, 30, 60, classes_of=30)
    muted, child_unmuted = ids(SMALL) + 4, ids(SMALL) + 5
    await _mute(empty_db, muted, ["timetable"])
    # The chat muted timetable changes by default, but not for this child: the child's
    # own settings win.
    await _mute(empty_db, child_unmuted, ["timetable"])
    await _mute(empty_db, child_unmuted, [], student_id=child_unmuted)

    for name, kind, expected in (("lesson_change_class", "timetable", (29, 60)),
                                 ("homework_class", "homework", (30, 60))):
        small_rows, small = await _run(empty_db, name, SMALL)
        large_rows, large = await _run(empty_db, name, LARGE)
        assert (small_rows, large_rows) == expected, name
        assert small == large <= MAX_EVENT, (name, small, large)
        rows = await _rows(empty_db, SMALL, kind)
        assert len({r.dedupe_key for r in rows}) == len(rows) == expected[0]
        # Each family's row names its own child (the rows share the event, not the name).
        assert all(r.payload["student"] == f"Имя{r.student_id - ids(SMALL)}" for r in rows)
        assert all(r.account_id == r.student_id for r in rows)
    told = {r.account_id for r in await _rows(empty_db, SMALL, "timetable")}
    assert muted not in told and child_unmuted in told
    assert muted in {r.account_id for r in await _rows(empty_db, SMALL, "homework")}


async def test_school_notice_reaches_every_family_once(empty_db: Db) -> None:
    await _schools(empty_db, 100, 1000)
    small_rows, small = await _run(empty_db, "notice_school", SMALL)
    large_rows, large = await _run(empty_db, "notice_school", LARGE)
    assert (small_rows, large_rows) == (100, 1000)
    assert small == large <= MAX_EVENT, (small, large)


async def test_friday_forecasts_of_a_school_take_a_fixed_number_of_statements(
        empty_db: Db) -> None:
    await _schools(empty_db, 100, 1000)
    withdrawn = ids(LARGE) + 5
    await _withdraw(empty_db, withdrawn)

    small_rows, small = await _run(empty_db, "forecast_weekly_job", SMALL)
    large_rows, large = await _run(empty_db, "forecast_weekly_job", LARGE)
    assert (small_rows, large_rows) == (100, 999)
    assert small == large <= MAX_JOB, (small, large)

    rows = await _rows(empty_db, LARGE, "forecast")
    assert withdrawn not in {r.account_id for r in rows}
    assert len({r.dedupe_key for r in rows}) == len(rows) == 999
    # The school-wide computation gives each child what the child's own view computes.
    for row in rows[::97]:
        student = row.student_id
        async with empty_db.sessionmaker() as s:
            class_id, grade = (await s.execute(text(
                "SELECT c.id, c.grade FROM students st JOIN classes c ON c.id = st.class_id "
                "WHERE st.id = :s"), {"s": student})).one()
            alone = await forecast.class_forecasts(
                s, school_id=LARGE, class_id=class_id, grade=grade, student_ids=[student],
                today=dt.date(2026, 11, 23))
        expected = [{"subject": f.subject, "average": float(f.average or 0),
                     "forecast": f.forecast, "need": f.need, "target": f.target}
                    for f in alone[student] if f.forecast is not None]
        assert row.payload["items"] == expected
        assert row.payload["period"] == "2 четверть"
    # The families have now been told: one snapshot per forecast told, none for the
    # family without consent.
    snapshots = await _count(empty_db, "SELECT count(*) FROM forecast_snapshots f JOIN"
                             " students st ON st.id = f.student_id WHERE st.school_id = :s",
                             s=LARGE)
    assert snapshots == sum(len(r.payload["items"]) for r in rows)
    assert await _count(empty_db, "SELECT count(*) FROM forecast_snapshots"
                        " WHERE student_id = :s", s=withdrawn) == 0

    # A second run the same week queues nothing new and keeps the snapshots.
    again, _ = await _run(empty_db, "forecast_weekly_job", LARGE)
    assert again == 0
    assert await _count(empty_db, "SELECT count(*) FROM forecast_snapshots f JOIN students"
                        " st ON st.id = f.student_id WHERE st.school_id = :s",
                        s=LARGE) == snapshots


async def test_period_risk_job_takes_a_fixed_number_of_statements(empty_db: Db) -> None:
    await _schools(empty_db, 100, 1000)
    small_rows, small = await _run(empty_db, "period_risk_job", SMALL)
    large_rows, large = await _run(empty_db, "period_risk_job", LARGE)
    assert small_rows > 0 and large_rows > small_rows
    assert small == large <= MAX_JOB, (small, large)
    rows = await _rows(empty_db, LARGE, "forecast")
    assert len({r.dedupe_key for r in rows}) == len(rows) == large_rows
    # A subject is listed when weak or below last quarter's mark (all are 3-5 there).
    for row in rows[:50]:
        for item in row.payload["items"]:
            assert item["forecast"] <= 3 or item["forecast"] < item["previous"]
            assert item["previous"] in (3, 4, 5)

