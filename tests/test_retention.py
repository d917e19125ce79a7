"""Retention (152-FZ art. 21) on the demo school: the daily pass tombstones outbox rows of
ended links and withdrawn consent, erases old sent rows by the school's setting, deletes old
link attempts and idle unlinked accounts, and leaves recent rows, live accounts and the
audit log as they were."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.scheduler import run_school_jobs
from services import clock, retention
from services.models import (
    Account,
    AccountLink,
    AuditLog,
    Consent,
    ConsentDecision,
    LinkAttempt,
    LinkKind,
    Notification,
    NotificationStatus,
)
from tests.conftest import Db

GUARDIAN, STUDENT, MATH_TEACHER = 1001, 1002, 2002
DAY = dt.timedelta(days=1)
_keys = itertools.count()


async def _account(s: AsyncSession, telegram_id: int) -> Account:
    return (await s.scalars(select(Account).where(Account.telegram_id == telegram_id))).one()


async def _links(s: AsyncSession, telegram_id: int) -> list[AccountLink]:
    account = await _account(s, telegram_id)
    return list((await s.scalars(select(AccountLink).where(
        AccountLink.account_id == account.id).order_by(AccountLink.id))).all())


async def _row(s: AsyncSession, account: Account, student_id: int | None, *,
               age: dt.timedelta = DAY, kind: str = "marks",
               status: NotificationStatus = NotificationStatus.SENT) -> int:
    """An outbox row about a student, finished `age` ago, with personal content."""
    at = clock.now() - age
    row = Notification(
        account_id=account.id, chat_id=account.chat_id, student_id=student_id, kind=kind,
        payload={"type": "mark_added", "student": "Михаил", "subject": "Математика",
                 "value": 5},
        dedupe_key=f"retention-test:{next(_keys)}", event_at=at, due_at=at, status=status,
        sent_at=at if status == NotificationStatus.SENT else None,
        last_error=None if status != NotificationStatus.DROPPED else "TelegramForbiddenError")
    s.add(row)
    await s.flush()
    return row.id


async def _payloads(db: Db, ids: list[int]) -> dict[int, dict[str, Any]]:
    async with db.sessionmaker() as s:
        rows = (await s.execute(select(Notification.id, Notification.payload)
                                .where(Notification.id.in_(ids)))).all()
    return {r.id: r.payload for r in rows}


async def _audit(db: Db) -> list[tuple[Any, ...]]:
    async with db.sessionmaker() as s:
        return [tuple(r) for r in (await s.execute(select(
            AuditLog.id, AuditLog.action, AuditLog.student_id, AuditLog.staff_id,
            AuditLog.details).order_by(AuditLog.id))).all()]


async def _apply(db: Db) -> retention.RetentionResult:
    async with db.sessionmaker.begin() as s:
        return await retention.apply_retention(s)


async def test_rows_of_an_ended_link_are_tombstoned_and_live_ones_stay(demo_db: Db) -> None:
    async with demo_db.sessionmaker.begin() as s:
        guardian = await _account(s, GUARDIAN)
        ended, live = [link for link in await _links(s, GUARDIAN)
                       if link.kind == LinkKind.GUARDIAN]
        ended.revoked_at, ended.revoke_reason = clock.now() - 2 * DAY, "unlinked"
        gone = [await _row(s, guardian, ended.student_id),
                await _row(s, guardian, ended.student_id, status=NotificationStatus.DROPPED)]
        access_notice = await _row(s, guardian, None, kind="access")
        kept = [await _row(s, guardian, live.student_id),
                await _row(s, guardian, live.student_id, status=NotificationStatus.PENDING)]
        waiting = await _row(s, guardian, ended.student_id, status=NotificationStatus.PENDING)
        teacher = await _account(s, MATH_TEACHER)
        staff_kept = await _row(s, teacher, None, kind="staff")
        [staff_link] = await _links(s, MATH_TEACHER)
        staff_link_id = staff_link.id
    audit_before = await _audit(demo_db)

    result = await _apply(demo_db)

    assert result.ended_rows == 3
    payloads = await _payloads(demo_db, [*gone, access_notice, *kept, waiting, staff_kept])
    for row_id in [*gone, access_notice]:
        assert payloads[row_id] == {"erased": "purpose_ended"}
    for row_id in [*kept, staff_kept]:
        assert payloads[row_id]["student"] == "Михаил"
    # A pending row is not rewritten: the worker drops it at claim time if it is stale.
    assert payloads[waiting]["subject"] == "Математика"
    async with demo_db.sessionmaker() as s:
        erased = (await s.execute(select(Notification).where(Notification.id == gone[1]))
                  ).scalar_one()
        assert erased.erased_at == clock.now() and erased.kind == "marks"
        assert erased.status == NotificationStatus.DROPPED
    assert await _audit(demo_db) == audit_before
    # A second pass finds nothing more; a staff member who leaves loses the staff rows.
    assert (await _apply(demo_db)).ended_rows == 0
    async with demo_db.sessionmaker.begin() as s:
        await s.execute(text("UPDATE account_links SET revoked_at = now() WHERE id = :l"),
                        {"l": staff_link_id})
    assert (await _apply(demo_db)).ended_rows == 1
    assert (await _payloads(demo_db, [staff_kept]))[staff_kept] == {"erased": "purpose_ended"}


async def test_withdrawn_consent_erases_the_child_s_rows_in_every_chat(demo_db: Db) -> None:
    """The student's own chat keeps its link, but once the only guardian's consent is
    withdrawn, the rows about that child lose their content; another child's stay."""
    async with demo_db.sessionmaker.begin() as s:
        student = await _account(s, STUDENT)
        guardian = await _account(s, GUARDIAN)
        [own] = await _links(s, STUDENT)
        artyom = own.student_id
        assert artyom is not None
        # Only this parent decides for Artyom here (the demo's paper form is set aside).
        await s.execute(delete(Consent).where(Consent.student_id == artyom))
        parent = Account(telegram_id=3001, chat_id=3001, last_seen_at=clock.now())
        s.add(parent)
        await s.flush()
        for decision, days in ((ConsentDecision.GIVEN, 20), (ConsentDecision.WITHDRAWN, 3)):
            s.add(Consent(account_id=parent.id, student_id=artyom, decision=decision,
                          text_version=1, decided_at=clock.now() - days * DAY))
        about_artyom = await _row(s, student, artyom)
        misha = next(link.student_id for link in await _links(s, GUARDIAN))
        about_misha = await _row(s, guardian, misha)
    assert (await _apply(demo_db)).ended_rows == 1
    payloads = await _payloads(demo_db, [about_artyom, about_misha])
    assert payloads[about_artyom] == {"erased": "purpose_ended"}
    assert payloads[about_misha]["value"] == 5
    # Another guardian's consent standing keeps the child's rows (the next ones).
    async with demo_db.sessionmaker.begin() as s:
        s.add(Account(telegram_id=3002, chat_id=3002))
        await s.flush()
        other = await _account(s, 3002)
        s.add(Consent(account_id=other.id, student_id=artyom, decision=ConsentDecision.GIVEN,
                      text_version=1, decided_at=clock.now() - DAY))
        later = await _row(s, await _account(s, STUDENT), artyom)
    assert (await _apply(demo_db)).ended_rows == 0
    assert (await _payloads(demo_db, [later]))[later]["student"] == "Михаил"


async def test_sent_rows_are_erased_after_the_school_s_retention(demo_db: Db) -> None:
    async with demo_db.sessionmaker.begin() as s:
        guardian = await _account(s, GUARDIAN)
        misha = next(link.student_id for link in await _links(s, GUARDIAN))
        days = {n: await _row(s, guardian, misha, age=n * DAY) for n in (100, 80, 20)}
        old_pending = await _row(s, guardian, misha, age=100 * DAY,
                                 status=NotificationStatus.PENDING)
        school = await s.scalar(text("SELECT school_id FROM students WHERE id = :s"),
                                {"s": misha})
        assert await s.scalar(text("SELECT notification_retention_days FROM schools "
                                   "WHERE id = :s"), {"s": school}) == 90  # the default
    result = await _apply(demo_db)
    assert result.old_rows == 1
    payloads = await _payloads(demo_db, [*days.values(), old_pending])
    assert payloads[days[100]] == {"erased": "retention"}
    assert payloads[days[80]]["value"] == payloads[days[20]]["value"] == 5
    assert payloads[old_pending]["value"] == 5
    # The school keeps a month: the 80-day row goes too, the 20-day one stays.
    async with demo_db.sessionmaker.begin() as s:
        await s.execute(text("UPDATE schools SET notification_retention_days = 30 "
                             "WHERE id = :s"), {"s": school})
    assert (await _apply(demo_db)).old_rows == 1
    payloads = await _payloads(demo_db, list(days.values()))
    assert payloads[days[80]] == {"erased": "retention"}
    assert payloads[days[20]]["value"] == 5


async def test_old_link_attempts_and_idle_unlinked_accounts_are_deleted(demo_db: Db) -> None:
    now = clock.now()
    async with demo_db.sessionmaker.begin() as s:
        s.add_all([LinkAttempt(telegram_id=4001, succeeded=False, attempted_at=now - 31 * DAY),
                   LinkAttempt(telegram_id=4001, succeeded=False, attempted_at=now - 29 * DAY)])
        idle = Account(telegram_id=4002, chat_id=4002, last_seen_at=now - 400 * DAY)
        never_seen = Account(telegram_id=4003, chat_id=4003, created_at=now - 400 * DAY)
        recent = Account(telegram_id=4004, chat_id=4004, last_seen_at=now - 300 * DAY)
        idle_linked = Account(telegram_id=4005, chat_id=4005, last_seen_at=now - 400 * DAY)
        s.add_all([idle, never_seen, recent, idle_linked])
        await s.flush()
        [own] = await _links(s, STUDENT)
        s.add_all([
            AccountLink(account_id=idle.id, kind=LinkKind.GUARDIAN, school_id=own.school_id,
                        student_id=own.student_id, revoked_at=now - 200 * DAY),
            AccountLink(account_id=idle_linked.id, kind=LinkKind.GUARDIAN,
                        school_id=own.school_id, student_id=own.student_id),
            AuditLog(action="unlinked", account_id=idle.id, student_id=own.student_id),
        ])
        idle_row = await _row(s, idle, own.student_id, age=300 * DAY)
        idle_id = idle.id
    audit_before = await _audit(demo_db)

    result = await _apply(demo_db)

    assert (result.link_attempts, result.accounts) == (1, 2)
    async with demo_db.sessionmaker() as s:
        left = set((await s.scalars(select(LinkAttempt.attempted_at)
                                    .where(LinkAttempt.telegram_id == 4001))).all())
        assert left == {now - 29 * DAY}
        telegram_ids = set((await s.scalars(select(Account.telegram_id))).all())
        assert {4004, 4005, GUARDIAN, STUDENT, MATH_TEACHER} <= telegram_ids
        assert not {4002, 4003} & telegram_ids
        assert await s.get(Notification, idle_row) is None
        # The audit log stays: the same rows, the deleted account's id now unset.
        [unlinked] = (await s.scalars(select(AuditLog).where(
            AuditLog.action == "unlinked", AuditLog.student_id == own.student_id))).all()
        assert unlinked.account_id is None
        assert await s.scalar(select(AuditLog.id).where(AuditLog.account_id == idle_id)) is None
    assert await _audit(demo_db) == audit_before


async def test_the_daily_pass_runs_once_a_day_from_the_scheduler(demo_db: Db) -> None:
    async with demo_db.sessionmaker.begin() as s:
        s.add(LinkAttempt(telegram_id=4001, succeeded=False,
                          attempted_at=clock.now() - 40 * DAY))
    done = await run_school_jobs(demo_db.sessionmaker)
    assert done["retention:2026-11-23"] >= 1
    assert "retention:2026-11-23" not in await run_school_jobs(demo_db.sessionmaker)
    async with demo_db.sessionmaker() as s:
        assert await s.scalar(select(LinkAttempt.id).where(LinkAttempt.telegram_id == 4001)
                              ) is None
    with clock.frozen(clock.now() + DAY):
        assert "retention:2026-11-24" in await run_school_jobs(demo_db.sessionmaker)
