"""Codes a stolen dump cannot search, attempts capped per school, staff chats replaced only
when asked; audit rows that say who acted; a clerk who reads no marks; school-local dates."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import hmac
import logging
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.settings import Settings
from services import access, clock, code_attempts, codes, consent, offboarding
from services.errors import AccessDenied, CodeInvalid
from services.models import Account, AccountLink, LinkKind, Staff, StaffRoleKind
from tests.conftest import CODE_SECRET, DEMO_NOW, BotEnv
from tests.test_cli import diary

ADMIN, CLASS_TEACHER = 2003, 2001
NEW_PARENT = 5201


async def _student(env: BotEnv, school: str = "demo-school", offset: int = 0) -> int:
    return int(await env.scalar(
        "SELECT st.id FROM students st JOIN schools sc ON sc.id = st.school_id "
        "WHERE sc.external_id = :s AND st.status = 'active' AND NOT EXISTS "
        "(SELECT 1 FROM account_links l WHERE l.student_id = st.id) "
        "ORDER BY st.id OFFSET :o LIMIT 1", s=school, o=offset))


async def _issue(env: BotEnv, student_id: int) -> codes.IssuedCode:
    async with env.db.sessionmaker.begin() as s:
        return (await codes.issue_student_codes(s, [student_id], (LinkKind.GUARDIAN,),
                                                secret=CODE_SECRET))[0]


# --- keyed hashes and the secret -------------------------------------------------------------


async def test_codes_are_stored_as_keyed_hashes(bot_env: BotEnv) -> None:
    code = await _issue(bot_env, await _student(bot_env))
    stored = await bot_env.scalar("SELECT code_hash FROM link_codes WHERE revoked_at IS NULL")
    assert stored != hashlib.sha256(code.payload.encode()).hexdigest()  # no offline search
    assert stored == hmac.new(CODE_SECRET, code.payload.encode(), hashlib.sha256).hexdigest()
    async with bot_env.db.sessionmaker() as s:
        account = Account(telegram_id=NEW_PARENT, chat_id=NEW_PARENT)
        s.add(account)
        await s.flush()
        with pytest.raises(CodeInvalid):  # another server's secret finds nothing
            await codes.redeem(s, account_id=account.id, telegram_id=NEW_PARENT,
                               raw_code=code.payload, secret=b"another secret")


def test_the_secret_is_created_once_outside_the_database(tmp_path: Path) -> None:
    path = tmp_path / "var" / "code_secret"
    settings = Settings(_env_file=None, code_secret_file=path)
    first = settings.code_key()
    assert len(first) == 64 and settings.code_key() == first
    assert (os.stat(path).st_mode & 0o777) == 0o600
    assert Settings(_env_file=None, code_secret_file=path, code_secret="given").code_key() \
        == b"given"


# --- the per-school cap --------------------------------------------------------------------


async def test_a_burst_of_failures_from_many_chats_paces_every_attempt(
        bot_env: BotEnv, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="services.codes")
    good = await _issue(bot_env, await _student(bot_env))
    for n in range(code_attempts.SCHOOL_BURST):  # one wrong guess each from many chats
        await bot_env.client(7000 + n).send("/start 2222233333")
    warnings = [r for r in caplog.records if "burst" in r.getMessage()]
    assert len(warnings) == 1 and "7000" not in warnings[0].getMessage()
    parent = bot_env.client(NEW_PARENT)
    replies = await parent.send(f"/start {good.payload}")
    assert "Слишком много" in replies[-1].text and "1 минуту" in replies[-1].text
    assert await bot_env.scalar(
        "SELECT count(*) FROM link_attempts WHERE telegram_id = :t", t=NEW_PARENT) == 0
    with clock.frozen(DEMO_NOW + code_attempts.SCHOOL_PACE + dt.timedelta(seconds=1)):
        replies = await parent.send(good.payload)
    assert "152-ФЗ" in replies[-1].text  # linked: the consent question


async def test_failures_on_one_schools_codes_pace_only_that_school(bot_env: BotEnv) -> None:
    school_code = await _issue(bot_env, await _student(bot_env))
    lyceum_code = await _issue(bot_env, await _student(bot_env, "demo-lyceum"))
    used = await _issue(bot_env, await _student(bot_env, offset=1))
    await bot_env.client(7999).send(f"/start {used.payload}")
    for n in range(code_attempts.SCHOOL_BURST):  # a used code of the school, tried again and again
        await bot_env.client(7000 + n).send(f"/start {used.payload}")
    assert "152-ФЗ" in (await bot_env.client(NEW_PARENT).send(
        f"/start {lyceum_code.payload}"))[-1].text
    assert "Слишком много" in (await bot_env.client(NEW_PARENT + 1).send(
        f"/start {school_code.payload}"))[-1].text


# --- staff codes -------------------------------------------------------------------------


async def test_staff_codes_only_for_colleagues_without_a_chat_and_replacing_asks(
        bot_env: BotEnv) -> None:
    from handlers.codes import StaffCodeCb

    teacher_staff = await bot_env.scalar(
        "SELECT l.staff_id FROM account_links l JOIN accounts a ON a.id = l.account_id "
        "WHERE a.telegram_id = :t", t=CLASS_TEACHER)
    admin = bot_env.client(ADMIN)
    await admin.send("/menu")
    # A forged press for a colleague who has a chat mints nothing.
    replies = await admin.click(StaffCodeCb(staff_id=teacher_staff).pack())
    assert replies[-1].alert == "Это недоступно."
    assert await bot_env.scalar("SELECT count(*) FROM link_codes WHERE staff_id = :s",
                                s=teacher_staff) == 0
    await admin.press("Коды доступа")
    await admin.press("Коды для сотрудников")
    await admin.press("Заменить чат сотрудника")
    await admin.press("Орлова")
    assert "потеряет доступ" in admin.last_text
    assert await bot_env.scalar("SELECT count(*) FROM link_codes WHERE staff_id = :s",
                                s=teacher_staff) == 0
    await admin.press("Да, заменить")
    assert "t.me/diary_demo_bot?start=" in admin.last_text
    assert await bot_env.scalar(
        "SELECT l.revoke_reason FROM account_links l JOIN accounts a ON a.id = l.account_id "
        "WHERE a.telegram_id = :t", t=CLASS_TEACHER) == "replaced"
    assert await bot_env.scalar(
        "SELECT n.payload->>'reason' FROM notifications n JOIN accounts a "
        "ON a.id = n.account_id WHERE a.telegram_id = :t AND n.kind = 'access'",
        t=CLASS_TEACHER) == "replaced"
    await bot_env.client(CLASS_TEACHER).send("/menu")
    assert "Классы" not in " ".join(b[0] for b in bot_env.client(CLASS_TEACHER).buttons())


# --- audit ---------------------------------------------------------------------------------


async def test_cli_actions_record_who_acted(bot_env: BotEnv) -> None:
    named = await _student(bot_env)
    result = diary(bot_env.db, "students", "leave", "--student", str(named), "--by", "ivanova")
    assert result.returncode == 0, result.stderr
    unnamed = await _student(bot_env, offset=1)
    assert diary(bot_env.db, "students", "leave", "--student", str(unnamed)).returncode == 0
    async with bot_env.db.sessionmaker() as s:
        by = dict((await s.execute(text(
            "SELECT student_id, details->>'by' FROM audit_log WHERE action = 'student_left'"
        ))).tuples().all())
    assert by == {named: "ivanova", unnamed: getpass.getuser()}


async def test_an_annulment_that_changed_nothing_writes_no_row(bot_env: BotEnv) -> None:
    student_id = await _student(bot_env)
    account_id = await bot_env.scalar("SELECT id FROM accounts WHERE telegram_id = 1001")
    async with bot_env.db.sessionmaker.begin() as s:
        assert await offboarding.annul_guardian(s, account_id, student_id, by="x") == 0
    assert await bot_env.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'guardian_annulled'") == 0


async def test_consent_publication_and_transfers_are_audited(bot_env: BotEnv) -> None:
    student_id = await _student(bot_env)
    async with bot_env.db.sessionmaker() as s:
        school_id, from_class = (await s.execute(text(
            "SELECT school_id, class_id FROM students WHERE id = :s"), {"s": student_id})).one()
    to_class = await bot_env.scalar(
        "SELECT id FROM classes WHERE school_id = :s AND id <> :c LIMIT 1", s=school_id,
        c=from_class)
    async with bot_env.db.sessionmaker.begin() as s:
        await consent.publish_consent_version(s, school_id, by="deputy")
        await offboarding.transfer_student(s, student_id, to_class, dt.date(2026, 11, 23),
                                           by="deputy")
    assert await bot_env.scalar(
        "SELECT details->>'version' || ':' || (details->>'by') FROM audit_log "
        "WHERE action = 'consent_version_published' AND school_id = :s", s=school_id) \
        == "2:deputy"
    assert await bot_env.scalar(
        "SELECT (details->>'from_class_id')::int || '>' || (details->>'to_class_id') "
        "FROM audit_log WHERE action = 'student_transferred' AND student_id = :s",
        s=student_id) == f"{from_class}>{to_class}"


async def test_left_on_is_the_schools_own_date(bot_env: BotEnv) -> None:
    lyceum_student = await _student(bot_env, "demo-lyceum")
    # 22:30 in Moscow on the 23rd is already the 24th in Yekaterinburg (UTC+5).
    late = dt.datetime(2026, 11, 23, 19, 30, tzinfo=dt.UTC)
    with clock.frozen(late):
        async with bot_env.db.sessionmaker.begin() as s:
            await offboarding.student_left(s, lyceum_student)
    assert await bot_env.scalar("SELECT left_on FROM students WHERE id = :s",
                                s=lyceum_student) == dt.date(2026, 11, 24)


# --- least privilege ---------------------------------------------------------------------


async def test_the_clerk_keeps_codes_but_reads_no_marks_or_attendance(bot_env: BotEnv) -> None:
    student_id = await _student(bot_env)
    async with bot_env.db.sessionmaker.begin() as s:
        clerk = await s.scalar(text(
            "SELECT r.staff_id FROM staff_roles r JOIN schools sc ON sc.id = r.school_id "
            "WHERE r.role = 'clerk' AND sc.external_id = 'demo-school'"))
        staff = await s.get(Staff, clerk)
        assert staff is not None
        account = Account(telegram_id=2999, chat_id=2999)
        s.add(account)
        await s.flush()
        s.add(AccountLink(account_id=account.id, kind=LinkKind.STAFF,
                          school_id=staff.school_id, staff_id=clerk))
        await s.flush()
        roles = await access.load_roles(s, account.id)
        assert roles.staff is not None and StaffRoleKind.CLERK in roles.staff.roles
        with pytest.raises(AccessDenied):
            await access.student_access(s, account.id, student_id, purpose="marks")
        class_id = await s.scalar(text("SELECT class_id FROM students WHERE id = :s"),
                                  {"s": student_id})
        with pytest.raises(AccessDenied):
            await access.class_access(s, account.id, class_id, purpose="attendance")
        assert await codes.code_classes(s, account.id)  # rosters and codes stay the clerk's
        issued = await codes.issue_one_code_as(s, account.id, student_id, LinkKind.GUARDIAN,
                                               secret=CODE_SECRET)
        assert issued[1].student_id == student_id
        left = await offboarding.student_left(s, student_id, by_staff_id=clerk)
        assert left == 0
