"""Pushes from journal events: who gets a row, when it is due, and the text it becomes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from screens.i18n import translator
from screens.pushes import LIMIT, PushRow, compose
from services import clock, consent, journal, notification_settings, offboarding
from services.models import (
    Account,
    AccountLink,
    ClassGroup,
    Lesson,
    LessonStatus,
    LinkKind,
    Mark,
    Notification,
    Period,
    PeriodKind,
    Staff,
    Student,
    Subject,
    WorkType,
)
from services.push_events import AccessEndedEvent, HomeworkEvent, NoticeEvent

MOSCOW = ZoneInfo("Europe/Moscow")
TODAY = dt.date(2026, 11, 23)
GUARDIAN = 1001  # demo: mother of Михаил (5А) and Ольга (1А), Russian
STUDENT_5A = 1002  # demo: Артём, a 5А student
EN_GUARDIAN = 6001  # added here: Михаил's father, English
MISHA_SELF = 6002  # added here: Михаил's own account


@dataclass
class Family:
    misha: Student
    olya: Student
    math: Subject
    russian: Subject
    test: WorkType  # Контрольная работа, weight 3
    answer: WorkType  # Ответ на уроке, weight 1
    accounts: dict[int, int]  # telegram id -> account id


async def _account(session: AsyncSession, telegram_id: int, locale: str = "ru",
                   active: bool = True) -> int:
    account = Account(telegram_id=telegram_id, chat_id=telegram_id, locale=locale,
                      is_active=active)
    session.add(account)
    await session.flush()
    return account.id


async def _link(session: AsyncSession, account_id: int, student: Student, kind: LinkKind,
                *, pending: bool = False, revoked: bool = False) -> None:
    session.add(AccountLink(account_id=account_id, kind=kind, school_id=student.school_id,
                            student_id=student.id, consent_pending=pending,
                            revoked_at=clock.now() if revoked else None))
    await session.flush()


@pytest.fixture
async def family(session: AsyncSession) -> Family:
    """Михаил's family: the demo mother, an English father, Михаил himself; and chats
    that must get nothing: consent pending, blocked the bot, revoked link."""
    guardian = await session.scalar(select(Account).where(Account.telegram_id == GUARDIAN))
    assert guardian is not None
    misha = await session.get(Student, guardian.active_student_id)
    assert misha is not None
    olya = await session.scalar(
        select(Student).join(AccountLink, AccountLink.student_id == Student.id)
        .where(AccountLink.account_id == guardian.id, Student.id != misha.id))
    assert olya is not None
    accounts = {GUARDIAN: guardian.id}
    accounts[EN_GUARDIAN] = await _account(session, EN_GUARDIAN, "en")
    await _link(session, accounts[EN_GUARDIAN], misha, LinkKind.GUARDIAN)
    accounts[MISHA_SELF] = await _account(session, MISHA_SELF)
    await _link(session, accounts[MISHA_SELF], misha, LinkKind.STUDENT)
    await _link(session, await _account(session, 6003), misha, LinkKind.GUARDIAN, pending=True)
    await _link(session, await _account(session, 6004, active=False), misha, LinkKind.GUARDIAN)
    await _link(session, await _account(session, 6005), misha, LinkKind.GUARDIAN, revoked=True)

    async def subject(name: str) -> Subject | None:
        return await session.scalar(select(Subject).where(
            Subject.school_id == misha.school_id, Subject.name == name))

    async def work(code: str) -> WorkType | None:
        return await session.scalar(select(WorkType).where(
            WorkType.school_id == misha.school_id, WorkType.code == code))

    math, russian = await subject("Математика"), await subject("Русский язык")
    test, answer = await work("test"), await work("answer")
    assert math and russian and test and answer
    return Family(misha, olya, math, russian, test, answer, accounts)


async def _rows(session: AsyncSession, telegram_id: int | None = None) -> list[Notification]:
    stmt = select(Notification).order_by(Notification.id)
    if telegram_id is not None:
        stmt = stmt.where(Notification.chat_id == telegram_id)
    return list((await session.scalars(stmt)).all())


def _texts(rows: list[Notification], locale: str = "ru") -> list[str]:
    return [m.text for m in compose(
        [PushRow.from_stored(r.id, r.kind, r.payload, r.student_id, r.event_at) for r in rows],
        translator(locale))]


async def _mark(session: AsyncSession, f: Family, value: int = 5, *, day: dt.date = TODAY,
                subject: Subject | None = None, work: WorkType | None = None,
                backfill: bool = False) -> journal.MarkResult:
    return await journal.add_mark(session, student_id=f.misha.id,
                                  subject_id=(subject or f.math).id,
                                  work_type_id=(work or f.test).id, date=day, value=value,
                                  backfill=backfill)


# --- recipients and text ----------------------------------------------------------------


async def test_mark_reaches_each_family_chat_in_its_language(session: AsyncSession,
                                                             family: Family) -> None:
    result = await _mark(session, family, 5)
    rows = await _rows(session)
    assert sorted(r.chat_id for r in rows) == sorted([GUARDIAN, EN_GUARDIAN, MISHA_SELF])
    assert result.queued == 3
    assert {r.kind for r in rows} == {"marks"}
    assert {r.dedupe_key for r in rows} == {
        f"mark:{result.mark_id}:{result.change_id}:{family.accounts[t]}"
        for t in (GUARDIAN, EN_GUARDIAN, MISHA_SELF)}
    payload = rows[0].payload
    assert payload["student"] == "Михаил" and payload["subject"] == "Математика"
    assert payload["date"] == "2026-11-23" and payload["weight"] == 3

    [ru] = _texts(await _rows(session, GUARDIAN), "ru")
    assert ru == ("📊 <b>Михаил</b>: новая оценка\n"
                  "• Математика: <b>5</b> (Контрольная работа, вес 3) — 23 ноября")
    [en] = _texts(await _rows(session, EN_GUARDIAN), "en")
    assert en == ("📊 <b>Михаил</b>: new mark\n"
                  "• Математика: <b>5</b> (Контрольная работа, weight 3) — 23 November")


async def test_a_mark_for_a_first_grader_or_out_of_range_is_refused(
        session: AsyncSession, family: Family) -> None:
    with pytest.raises(journal.InvalidMark):
        await journal.add_mark(session, student_id=family.olya.id, subject_id=family.math.id,
                               work_type_id=family.answer.id, date=TODAY, value=5)
    for bad in (0, 6):
        with pytest.raises(journal.InvalidMark):
            await _mark(session, family, bad)
    assert await _rows(session) == []


async def test_change_shows_old_and_new_and_delete_says_deleted(session: AsyncSession,
                                                                family: Family) -> None:
    added = await _mark(session, family, 4)
    changed = await journal.change_mark(session, added.mark_id, value=5)
    assert changed.change_id is not None and changed.queued >= 3
    again = await journal.change_mark(session, added.mark_id, value=5)
    assert again.change_id is None and again.queued == 0  # re-sent, nothing new
    deleted = await journal.delete_mark(session, added.mark_id)
    mark = await session.get(Mark, added.mark_id)
    assert mark is not None and mark.deleted_at is not None  # soft delete keeps the row

    rows = [r for r in await _rows(session, GUARDIAN) if r.kind == "marks"]
    assert [r.payload["type"] for r in rows] == ["mark_added", "mark_changed", "mark_deleted"]
    [changed_text] = _texts([rows[1]])
    assert changed_text == ("📊 <b>Михаил</b>: оценка исправлена\n"
                            "• Математика: 4 → <b>5</b> (Контрольная работа, вес 3) — "
                            "23 ноября, исправлена")
    [deleted_text] = _texts([rows[2]])
    assert "оценка удалена" in deleted_text
    assert "<s>5</s> удалена (Контрольная работа, вес 3)" in deleted_text
    [en] = _texts([rows[2]], "en")
    assert "<s>5</s> deleted (Контрольная работа, weight 3)" in en
    assert deleted.change_id is not None


# --- when rows fall due ---------------------------------------------------------------


async def test_quiet_hours_hold_night_marks_for_one_morning_summary(
        session: AsyncSession, family: Family) -> None:
    night = dt.datetime(2026, 11, 23, 22, 30, tzinfo=MOSCOW)
    with clock.frozen(night):
        for value in (5, 4, 3):
            await _mark(session, family, value, work=family.answer)
    rows = [r for r in await _rows(session, GUARDIAN) if r.kind == "marks"]
    assert len(rows) == 3
    morning = dt.datetime(2026, 11, 24, 7, 0, tzinfo=MOSCOW)
    assert {r.due_at for r in rows} == {morning}
    texts = _texts(rows)
    assert len(texts) == 1  # one summary, not three pushes
    assert texts[0].startswith("📊 <b>Михаил</b>: выставлены 3 оценки\n")
    assert texts[0].count("• Математика:") == 3


async def test_quiet_hours_follow_the_school_timezone_and_chat_override(
        session: AsyncSession, family: Family) -> None:
    # 20:30 in Moscow: outside the school's 21-07 window, inside a chat's 20-07 window.
    evening = dt.datetime(2026, 11, 23, 20, 30, tzinfo=MOSCOW)
    await notification_settings.set_quiet_hours(session, family.accounts[EN_GUARDIAN], "20-07")
    await notification_settings.set_quiet_hours(session, family.accounts[MISHA_SELF], "off")
    with clock.frozen(evening):
        await _mark(session, family, 5)
    due = {r.chat_id: r.due_at for r in await _rows(session)}
    assert due[GUARDIAN] == evening
    assert due[EN_GUARDIAN] == dt.datetime(2026, 11, 24, 7, 0, tzinfo=MOSCOW)
    assert due[MISHA_SELF] == evening
    # The pure rule: windows crossing midnight, mornings, and urgent pushes.
    prefs = notification_settings.Preferences()
    start, end = dt.time(21, 0), dt.time(7, 0)

    def at(h: int, m: int = 0, urgent: bool = False) -> dt.datetime:
        return notification_settings.due_at(
            prefs, now=dt.datetime(2026, 11, 24, h, m, tzinfo=MOSCOW), timezone="Europe/Moscow",
            school_quiet_start=start, school_quiet_end=end, urgent=urgent)

    assert at(6, 59) == dt.datetime(2026, 11, 24, 7, 0, tzinfo=MOSCOW)
    assert at(7, 0) == dt.datetime(2026, 11, 24, 7, 0, tzinfo=MOSCOW)
    assert at(23, 0, urgent=True) == dt.datetime(2026, 11, 24, 23, 0, tzinfo=MOSCOW)


async def test_digest_mode_waits_for_the_digest_time(session: AsyncSession,
                                                     family: Family) -> None:
    await notification_settings.set_digest(session, family.accounts[GUARDIAN], True, dt.time(20, 0))
    await _mark(session, family, 5)
    await _mark(session, family, 4, subject=family.russian, work=family.answer)
    rows = await _rows(session, GUARDIAN)
    assert {r.due_at for r in rows} == {dt.datetime(2026, 11, 23, 20, 0, tzinfo=MOSCOW)}
    [digest] = _texts(rows)
    assert "выставлены 2 оценки" in digest and "Русский язык: <b>4</b>" in digest
    # After today's digest time the next one is tomorrow's.
    with clock.frozen(dt.datetime(2026, 11, 23, 20, 15, tzinfo=MOSCOW)):
        await _mark(session, family, 3, work=family.answer)
    latest = (await _rows(session, GUARDIAN))[-1]
    assert latest.due_at == dt.datetime(2026, 11, 24, 20, 0, tzinfo=MOSCOW)


async def test_muted_kind_and_subject_get_no_row(session: AsyncSession, family: Family) -> None:
    await notification_settings.toggle_kind(session, family.accounts[GUARDIAN], "marks")
    await notification_settings.mute_subject(session, family.accounts[EN_GUARDIAN], family.misha.id,
                                   family.math.id)
    await _mark(session, family, 5)
    assert sorted(r.chat_id for r in await _rows(session)) == [MISHA_SELF]
    await _mark(session, family, 4, subject=family.russian, work=family.answer)
    chats = sorted(r.chat_id for r in await _rows(session) if r.payload["subject"]
                   == "Русский язык")
    assert chats == [EN_GUARDIAN, MISHA_SELF]  # only the subject was muted for the father


async def test_backfill_is_stored_silently(session: AsyncSession, family: Family) -> None:
    explicit = await _mark(session, family, 5, backfill=True)
    old = await _mark(session, family, 4, day=TODAY - dt.timedelta(days=8))
    assert explicit.queued == old.queued == 0
    assert await _rows(session) == []
    assert await session.scalar(select(Mark.value).where(Mark.id == old.mark_id)) == 4
    recent = await _mark(session, family, 3, day=TODAY - dt.timedelta(days=3))
    assert recent.queued == 3  # inside the school's 7-day window: told


async def test_privacy_mode_hides_values_behind_a_spoiler(session: AsyncSession,
                                                          family: Family) -> None:
    await notification_settings.set_hide_values(session, family.accounts[GUARDIAN], True)
    await _mark(session, family, 2)
    [row] = [r for r in await _rows(session, GUARDIAN) if r.kind == "marks"]
    assert row.payload["hide_values"] is True
    [push] = _texts([row])
    assert "<tg-spoiler>2</tg-spoiler>" in push and ": <b>2</b>" not in push
    [plain] = _texts([r for r in await _rows(session, EN_GUARDIAN) if r.kind == "marks"], "en")
    assert "<b>2</b>" in plain and "tg-spoiler" not in plain


async def test_a_burst_of_twelve_marks_is_one_message(session: AsyncSession,
                                                      family: Family) -> None:
    monday = TODAY - dt.timedelta(days=7)
    days = [monday + dt.timedelta(days=i % 5) for i in range(12)]
    for i, day in reversed(list(enumerate(days))):  # entered out of order
        await _mark(session, family, 5 - i % 3, day=day, work=family.answer)
    rows = [r for r in await _rows(session, GUARDIAN) if r.kind == "marks"]
    assert len(rows) == 12
    [push] = _texts(rows)
    lines = push.split("\n")
    assert lines[0] == "📊 <b>Михаил</b>: выставлено 12 оценок"
    assert "12 оценок" in push
    shown_days = [line.rsplit("— ", 1)[1] for line in lines[1:]]
    ru_dates = [translator("ru").date(d) for d in sorted(days)]
    assert shown_days == ru_dates  # ordered by date
    [en] = _texts(rows, "en")
    assert en.startswith("📊 <b>Михаил</b>: 12 new marks\n")


def test_an_overlong_burst_splits_at_line_boundaries() -> None:
    now = clock.now()
    rows = [PushRow(i, HomeworkEvent(type="homework_new", student="Михаил",
                                     subject=f"Предмет {i}", due_on=dt.date(2026, 11, 24),
                                     text=f"Задание {i} " + "слово " * 150), 1, now)
            for i in range(20)]
    texts = [m.text for m in compose(rows, translator("ru"))]
    assert len(texts) > 1
    assert all(len(x) <= LIMIT for x in texts)
    assert all(x.startswith("📚 <b>Михаил</b>: домашнее задание") for x in texts)
    joined = "\n".join(texts)
    assert all(f"• Предмет {i} (к Вт, 24 ноября): Задание {i} " in joined for i in range(20))


# --- other kinds ------------------------------------------------------------------------


async def test_final_mark_and_postponed_attestation(session: AsyncSession,
                                                    family: Family) -> None:
    quarter = await session.scalar(select(Period).where(
        Period.school_id == family.misha.school_id, Period.kind == PeriodKind.QUARTER,
        Period.number == 2))
    assert quarter is not None
    done = await journal.set_final_mark(session, student_id=family.misha.id,
                                        subject_id=family.math.id, period_id=quarter.id,
                                        value=4)
    same = await journal.set_final_mark(session, student_id=family.misha.id,
                                        subject_id=family.math.id, period_id=quarter.id,
                                        value=4)
    assert done.queued == 3 and not same.changed
    await journal.set_final_mark(session, student_id=family.misha.id,
                                 subject_id=family.russian.id, period_id=quarter.id,
                                 postponed=True)
    rows = [r for r in await _rows(session, GUARDIAN) if r.kind == "final"]
    [push] = _texts(rows)
    assert push == ("🏁 <b>Михаил</b>: итоговые оценки\n"
                    "• Математика, 2 четверть: <b>4</b>\n"
                    "• Русский язык, 2 четверть: аттестация перенесена")


async def test_lesson_changes_reach_every_student_of_the_class(session: AsyncSession,
                                                               family: Family) -> None:
    tomorrow = TODAY + dt.timedelta(days=1)
    lesson = await session.scalar(select(Lesson).where(
        Lesson.class_id == family.misha.class_id, Lesson.date == tomorrow,
        Lesson.subgroup_id.is_(None), Lesson.status == LessonStatus.SCHEDULED)
        .order_by(Lesson.slot))
    assert lesson is not None
    subject = await session.get(Subject, lesson.subject_id)
    substitute = await session.scalar(select(Staff).where(
        Staff.school_id == lesson.school_id, Staff.id != lesson.teacher_id,
        Staff.last_name == "Степанов"))
    assert subject and substitute
    replaced = await journal.change_lesson(session, lesson.id, status="replaced",
                                           substitute_id=substitute.id)
    # Михаил's three chats and Артём's (the demo 5А student) — nobody outside the class.
    chats = sorted(r.chat_id for r in await _rows(session))
    assert chats == sorted([GUARDIAN, EN_GUARDIAN, MISHA_SELF, STUDENT_5A])
    assert replaced.queued == 4
    [push] = _texts(await _rows(session, STUDENT_5A))
    assert push == (f"📅 <b>Артём</b>: изменения в расписании\n"
                    f"• Вт, 24 ноября, {lesson.slot}-й урок, {subject.name}: замена, ведёт "
                    f"Степанов Игорь Валентинович")
    await journal.change_lesson(session, lesson.id, status="cancelled")
    [en] = _texts([r for r in await _rows(session, EN_GUARDIAN)][-1:], "en")
    assert en == (f"📅 <b>Михаил</b>: timetable changes\n"
                  f"• Tue, 24 November, lesson {lesson.slot}, {subject.name}: "
                  f"<b>cancelled</b>")
    # A lesson already past changes silently.
    past = await session.scalar(select(Lesson.id).where(
        Lesson.class_id == family.misha.class_id, Lesson.date == TODAY - dt.timedelta(days=3)))
    assert past is not None
    assert (await journal.change_lesson(session, past, status="cancelled")).queued == 0


async def test_homework_new_and_changed(session: AsyncSession, family: Family) -> None:
    due = TODAY + dt.timedelta(days=2)
    made = await journal.set_homework(session, class_id=family.misha.class_id,  # type: ignore[arg-type]
                                      subject_id=family.math.id, due_on=due,
                                      text="№ 512 <a>, 514")
    await journal.set_homework(session, class_id=family.misha.class_id,  # type: ignore[arg-type]
                               subject_id=family.math.id, due_on=due, text="№ 512 <a>, 514",
                               homework_id=made.id)
    await journal.set_homework(session, class_id=family.misha.class_id,  # type: ignore[arg-type]
                               subject_id=family.math.id, due_on=due, text="№ 515",
                               homework_id=made.id)
    rows = await _rows(session, GUARDIAN)
    assert [r.payload["type"] for r in rows] == ["homework_new", "homework_changed"]
    [push] = _texts(rows)
    assert push == ("📚 <b>Михаил</b>: домашнее задание\n"
                    "• Математика (к Ср, 25 ноября): № 512 &lt;a&gt;, 514\n"
                    "• Математика (к Ср, 25 ноября, изменено): № 515")


async def test_access_ended_push_from_linking_and_ordering(session: AsyncSession,
                                                           family: Family) -> None:
    await _mark(session, family, 5)
    await offboarding.student_left(session, family.misha.id)
    rows = await _rows(session, EN_GUARDIAN)
    # Pending pushes about the child were dropped; the access notice is urgent and pending.
    pending = [r for r in rows if r.status.value == "pending"]
    assert [r.kind for r in pending] == ["access"]
    assert pending[0].payload["urgent"] is True
    [en] = _texts(pending, "en")
    assert en == ("⛔ <b>Михаил</b>: access to the diary has ended. "
                  "The student has left the school.")
    [ru] = _texts(pending)
    assert ru.endswith("Ученик выбыл из школы.")
    # An access notice goes first in a mixed burst.
    now = clock.now()
    mixed = [m.text for m in compose([
        PushRow(1, NoticeEvent(type="notice", text="Собрание в 18:00"), None, now),
        PushRow(2, AccessEndedEvent(reason="annulled", student="Оля"), None, now),
    ], translator("ru"))]
    assert mixed == ["⛔ <b>Оля</b>: доступ к дневнику закрыт. Школа аннулировала привязку "
                     "этого чата.\n\n📌 <b>Объявление</b>\nСобрание в 18:00"]


async def test_a_left_student_or_blocked_chat_gets_nothing_new(session: AsyncSession,
                                                               family: Family) -> None:
    await session.execute(update(Account).where(Account.telegram_id == GUARDIAN)
                          .values(is_active=False))
    await _mark(session, family, 5)
    assert GUARDIAN not in {r.chat_id for r in await _rows(session)}
    klass = await session.get(ClassGroup, family.misha.class_id)
    assert klass is not None and klass.grade == 5
    count = await session.scalar(text("SELECT count(*) FROM notifications"))
    assert count == 2


async def test_rows_queued_before_consent_is_asked_again_are_never_sent(
        session: AsyncSession, family: Family) -> None:
    """A push waiting in the outbox (quiet hours, digest) must not reach a guardian whose
    link went back to awaiting consent meanwhile, nor the child's own chat: with no
    consent to the new text on record, nothing about the child goes out (152-FZ)."""
    from services import delivery_queue

    await _mark(session, family, 5)
    await consent.publish_consent_version(session, family.misha.school_id)
    batches = await delivery_queue.claim_due(session, worker_id="w", limit=50, lease=60)
    assert {b.chat_id for b in batches} == set()
    status = {r.chat_id: r.status.value for r in await _rows(session)}
    assert status == {GUARDIAN: "dropped", EN_GUARDIAN: "dropped", MISHA_SELF: "dropped"}


async def test_a_final_mark_changed_back_is_told_again(session: AsyncSession,
                                                       family: Family) -> None:
    quarter = await session.scalar(select(Period).where(
        Period.school_id == family.misha.school_id, Period.kind == PeriodKind.QUARTER,
        Period.number == 2))
    assert quarter is not None
    queued = []
    for minute, value in enumerate((4, 5, 4)):
        with clock.frozen(clock.now() + dt.timedelta(minutes=minute + 1)):
            result = await journal.set_final_mark(
                session, student_id=family.misha.id, subject_id=family.math.id,
                period_id=quarter.id, value=value)
        queued.append(result.queued)
    assert queued == [3, 3, 3]  # 4, then 5, then 4 again: each reaches all three chats
