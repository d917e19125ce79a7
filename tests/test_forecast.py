"""The term forecast: worked examples, the school's rounding rule, "what it takes", the
change push with its cause, and the view through the real Dispatcher."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import pytest
from sqlalchemy import event, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.forecast import ForecastCb
from handlers.menu import ChildCb
from screens.i18n import translator
from screens.pushes import PushRow, compose
from services import access, forecast, journal
from services.models import (
    Account,
    ForecastSnapshot,
    Lesson,
    LessonStatus,
    Notification,
    School,
    Subject,
    WorkType,
)
from tests.conftest import DEMO_TODAY, BotEnv

GUARDIAN = 1001
QUARTER_END = dt.date(2026, 12, 25)  # 2 четверть ends on Friday 25 December in the demo


# --- arithmetic -------------------------------------------------------------------------


def test_rounding_follows_the_school_threshold() -> None:
    assert [forecast.round_mark(Fraction(x)) for x in ("2.5", "3.5", "4.5")] == [3, 4, 5]
    assert [forecast.round_mark(Fraction(x)) for x in ("2.49", "3.49", "4.49")] == [2, 3, 4]
    assert forecast.round_mark(Fraction("3.5"), 0.6) == 3
    assert forecast.round_mark(Fraction("3.6"), 0.6) == 4
    # The shown average decides: 4.495 shows as 4.50 and rounds like it.
    assert forecast.round_mark(Fraction(4495, 1000)) == 5
    assert forecast.round_mark(Fraction(1, 1)) == 1 and forecast.round_mark(5) == 5


def test_worked_example_and_what_it_takes() -> None:
    avg = forecast.weighted_average([(5, 1), (4, 1), (4, 1)])
    assert avg == Fraction(13, 3)
    assert forecast.shown_average(avg) == Decimal("4.33")
    assert forecast.round_mark(avg) == 4
    # One more 5 → 18/4 = 4.5 → 5.
    assert forecast.marks_needed(13, 3, value=5, weight=1, threshold=0.5, reaches=5,
                                 cap=10) == 1
    # Two 2s drop it: 17/5 = 3.4 → 3 (one gives 15/4 = 3.75 → 4).
    assert forecast.marks_needed(13, 3, value=2, weight=1, threshold=0.5, reaches=4, cap=10,
                                 upward=False) == 2
    # Ten 4s need ten 5s for a 5: out of reach with three lessons left.
    assert forecast.marks_needed(40, 10, value=5, weight=1, threshold=0.5, reaches=5,
                                 cap=10) == 10
    assert forecast.marks_needed(40, 10, value=5, weight=1, threshold=0.5, reaches=5,
                                 cap=3) is None
    # A heavier usual weight needs fewer marks.
    assert forecast.marks_needed(40, 10, value=5, weight=3, threshold=0.5, reaches=5,
                                 cap=10) == 4
    assert forecast.usual_weight([1, 3, 3, 1, 2, 3]) == 3 and forecast.usual_weight([]) == 1


# --- on the demo school -----------------------------------------------------------------


async def _misha(session: AsyncSession) -> tuple[access.StudentAccess, Subject, WorkType]:
    account = await session.scalar(select(Account).where(Account.telegram_id == GUARDIAN))
    assert account is not None and account.active_student_id is not None
    granted = await access.student_access(session, account.id, account.active_student_id)
    math = await session.scalar(select(Subject).where(
        Subject.school_id == granted.child.school_id, Subject.name == "Математика"))
    answer = await session.scalar(select(WorkType).where(
        WorkType.school_id == granted.child.school_id, WorkType.code == "answer"))
    assert math is not None and answer is not None
    return granted, math, answer


async def _only_marks(session: AsyncSession, granted: access.StudentAccess, subject: Subject,
                      work: WorkType, values: list[int], *, backfill: bool = True) -> None:
    """Replace the student's marks in the subject this quarter with `values` (weight 1)."""
    await session.execute(text(
        "UPDATE marks SET deleted_at = now() WHERE student_id = :s AND subject_id = :j "
        "AND date >= '2026-11-05'"), {"s": granted.child.student_id, "j": subject.id})
    for i, value in enumerate(values):
        await journal.add_mark(session, student_id=granted.child.student_id,
                               subject_id=subject.id, work_type_id=work.id,
                               date=DEMO_TODAY - dt.timedelta(days=7 - i % 5), value=value,
                               backfill=backfill)


async def _lessons_left(session: AsyncSession, class_id: int, subject_id: int) -> int:
    return int(await session.scalar(text(
        "SELECT count(*) FROM lessons WHERE class_id = :c AND subject_id = :j "
        "AND status IN ('scheduled', 'replaced', 'moved') "
        "AND coalesce(moved_to_date, date) BETWEEN :d AND :e"),
        {"c": class_id, "j": subject_id, "d": DEMO_TODAY, "e": QUARTER_END}) or 0)


def _subject(found: list[forecast.SubjectForecast], name: str) -> forecast.SubjectForecast:
    return next(f for f in found if f.subject == name)


async def test_forecast_for_a_student_with_bounded_queries(session: AsyncSession) -> None:
    granted, math, answer = await _misha(session)
    await _only_marks(session, granted, math, answer, [5, 4, 4])
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    engine = session.bind.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        found = await forecast.forecast_for_student(session, granted, DEMO_TODAY)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) <= 6  # however many subjects
    m = _subject(found, "Математика")
    assert (m.average, m.forecast, m.marks, m.weight) == (Decimal("4.33"), 4, 3, 1)
    assert (m.target, m.need, m.out_of_reach) == (5, 1, False)
    assert (m.risk_target, m.risk) == (3, 2)
    assert m.period == "2 четверть" and m.ends_on == QUARTER_END
    assert m.lessons_left == await _lessons_left(session, granted.child.class_id or 0, math.id)
    assert m.lessons_left > 3
    # Every curriculum subject is listed, pass/fail ones left out.
    names = {f.subject for f in found}
    assert "Математика" in names and "Русский язык" in names
    assert not any(s.pass_fail for s in (await session.scalars(
        select(Subject).where(Subject.name.in_(names)))).all())


async def test_out_of_reach_with_few_lessons_left(session: AsyncSession) -> None:
    granted, math, answer = await _misha(session)
    await _only_marks(session, granted, math, answer, [4] * 10)
    future = list((await session.scalars(select(Lesson.id).where(
        Lesson.class_id == granted.child.class_id, Lesson.subject_id == math.id,
        Lesson.date >= DEMO_TODAY,
        Lesson.status.in_([LessonStatus.SCHEDULED, LessonStatus.REPLACED, LessonStatus.MOVED]))
        .order_by(Lesson.date, Lesson.slot))).all())
    await session.execute(update(Lesson).where(Lesson.id.in_(future[3:]))
                          .values(status=LessonStatus.CANCELLED))
    m = _subject(await forecast.forecast_for_student(session, granted, DEMO_TODAY),
                 "Математика")
    assert (m.average, m.forecast, m.lessons_left) == (Decimal("4.00"), 4, 3)
    assert m.target == 5 and m.need is None and m.out_of_reach
    # With the timetable unknown (no lessons left on record) the cap is ten: reachable.
    await session.execute(update(Lesson).where(Lesson.id.in_(future[:3]))
                          .values(status=LessonStatus.CANCELLED))
    m = _subject(await forecast.forecast_for_student(session, granted, DEMO_TODAY),
                 "Математика")
    assert m.lessons_left == 0 and m.need == 10


async def test_rounding_threshold_of_the_school(session: AsyncSession) -> None:
    granted, math, answer = await _misha(session)
    await _only_marks(session, granted, math, answer, [4, 3])
    m = _subject(await forecast.forecast_for_student(session, granted, DEMO_TODAY),
                 "Математика")
    assert (m.average, m.forecast) == (Decimal("3.50"), 4)
    await session.execute(update(School).where(School.id == granted.child.school_id)
                          .values(rounding_threshold=0.6))
    m = _subject(await forecast.forecast_for_student(session, granted, DEMO_TODAY),
                 "Математика")
    assert (m.average, m.forecast, m.target, m.need) == (Decimal("3.50"), 3, 4, 1)


async def test_a_low_mark_that_moves_the_forecast_is_pushed_with_its_cause(
        session: AsyncSession) -> None:
    granted, math, answer = await _misha(session)
    await _only_marks(session, granted, math, answer, [5, 5, 4])
    key = (granted.child.student_id, math.id)
    snapshot = (await session.scalars(select(ForecastSnapshot).where(
        ForecastSnapshot.student_id == key[0], ForecastSnapshot.subject_id == key[1]))).one()
    assert snapshot.forecast == 5  # the first computation only stored it
    assert await session.scalar(select(Notification.id)) is None

    result = await journal.add_mark(session, student_id=key[0], subject_id=math.id,
                                    work_type_id=answer.id, date=DEMO_TODAY, value=2)
    assert result.forecast is not None
    assert (result.forecast.old, result.forecast.new, result.forecast.need) == (5, 4, 4)
    await session.refresh(snapshot)
    assert (snapshot.forecast, Decimal(snapshot.average)) == (4, Decimal("4.00"))
    rows = list((await session.scalars(select(Notification).where(
        Notification.chat_id == GUARDIAN).order_by(Notification.id))).all())
    assert [r.kind for r in rows] == ["marks", "forecast"]
    push_rows = [PushRow.from_stored(r.id, r.kind, r.payload, r.student_id, r.event_at)
                 for r in rows]
    [ru] = [m.text for m in compose(push_rows, translator("ru"))]
    assert ru.endswith("🔮 <b>Михаил</b>: прогноз за период\n"
                       "• Математика: прогноз 5 → <b>4</b> после сегодняшней 2; "
                       "ещё четыре пятёрки вернут 5")
    [en] = [m.text for m in compose(push_rows[1:], translator("en"))]
    assert en == ("🔮 <b>Михаил</b>: term forecast\n"
                  "• Математика: forecast 5 → <b>4</b> after today's 2; 4 more 5s bring back 5")
    # A 5 that does not move the forecast back is not a forecast push.
    await journal.add_mark(session, student_id=key[0], subject_id=math.id,
                           work_type_id=answer.id, date=DEMO_TODAY, value=5)
    kinds = list(await session.scalars(select(Notification.kind).where(
        Notification.chat_id == GUARDIAN).order_by(Notification.id)))
    assert kinds == ["marks", "forecast", "marks"]


# --- the view ---------------------------------------------------------------------------


async def _expected(env: BotEnv, student_id: int) -> dict[str, Decimal]:
    """Weighted averages of the current quarter, straight from the database."""
    async with env.db.sessionmaker() as s:
        rows = (await s.execute(text(
            "SELECT j.name, sum(m.value * m.weight)::numeric / sum(m.weight) FROM marks m "
            "JOIN subjects j ON j.id = m.subject_id WHERE m.student_id = :s "
            "AND m.deleted_at IS NULL AND m.value IS NOT NULL AND NOT j.pass_fail "
            "AND m.date BETWEEN '2026-11-05' AND :e GROUP BY j.name"),
            {"s": student_id, "e": QUARTER_END})).all()
    return {name: Decimal(avg).quantize(Decimal("0.01"), ROUND_HALF_UP) for name, avg in rows}


def _rounded(avg: Decimal) -> int:
    return int(avg) + (1 if avg - int(avg) >= Decimal("0.5") else 0)


@pytest.mark.parametrize("locale", ["ru", "en"])
async def test_forecast_view_shows_every_subject(bot_env: BotEnv, locale: str) -> None:
    student_id = int(await bot_env.scalar(
        "SELECT active_student_id FROM accounts WHERE telegram_id = :t", t=GUARDIAN))
    async with bot_env.db.sessionmaker.begin() as s:
        await s.execute(text("UPDATE accounts SET locale = :l WHERE telegram_id = :t"),
                        {"l": locale, "t": GUARDIAN})
    expected = await _expected(bot_env, student_id)
    assert expected
    client = bot_env.client(GUARDIAN, language_code=locale)
    await client.send("/menu")
    await client.press(translator(locale)("menu-forecast"))
    body = client.last_text
    title = "Прогноз итоговых отметок" if locale == "ru" else "Term mark forecast"
    assert title in body and "Михаил" in body
    word = "средний" if locale == "ru" else "average"
    for subject, avg in expected.items():
        shown = f"{avg:.2f}".replace(".", "," if locale == "ru" else ".")
        forecast_word = "прогноз" if locale == "ru" else "forecast"
        assert f"• {subject}: {word} {shown} → {forecast_word} {_rounded(avg)} (" in body
    assert len(body) <= 4096


async def test_first_grader_and_forged_student(bot_env: BotEnv) -> None:
    client = bot_env.client(GUARDIAN)
    olya = int(await bot_env.scalar(
        "SELECT s.id FROM students s JOIN classes c ON c.id = s.class_id "
        "JOIN account_links l ON l.student_id = s.id JOIN accounts a ON a.id = l.account_id "
        "WHERE a.telegram_id = :t AND c.grade = 1", t=GUARDIAN))
    await client.click(ChildCb(student_id=olya).pack())
    await client.send("/forecast")
    assert client.last_text == "У первоклассников нет отметок, поэтому и прогноза нет (Ольга)."
    await client.click(ForecastCb(s=olya).pack())
    assert "У первоклассников нет отметок" in (client.last_text or "")
    stranger = int(await bot_env.scalar(
        "SELECT s.id FROM students s JOIN schools sc ON sc.id = s.school_id "
        "WHERE sc.external_id = 'demo-lyceum' LIMIT 1"))
    replies = await client.click(ForecastCb(s=stranger).pack())
    assert [r.alert for r in replies if r.alert] == ["Это недоступно."]
    denied = await bot_env.scalar(
        "SELECT count(*) FROM audit_log l JOIN accounts a ON a.id = l.account_id "
        "WHERE a.telegram_id = :t AND l.action = 'access_denied'", t=GUARDIAN)
    assert denied >= 1
    assert len(ForecastCb(s=2**31).pack().encode()) <= 64

