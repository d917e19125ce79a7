"""Onboarding through the real Dispatcher: codes, deep links, consent, roles, revocation."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import text

from handlers.menu import ChildCb
from handlers.settings import SetCb
from handlers.start import ConsentCb
from services import clock, codes, consent, offboarding, staff_codes
from services.models import LinkKind
from tests.conftest import CODE_SECRET, DEMO_NOW, BotEnv

NEW_PARENT = 5001
GUARDIAN = 1001  # demo: guardian of a 5А child and a 1А child
STUDENT = 1002  # demo: a 5А student
CLASS_TEACHER = 2001
ADMIN = 2003


async def _student(env: BotEnv, class_name: str = "5А", school: str = "demo-school",
                   offset: int = 0) -> tuple[int, str]:
    async with env.db.sessionmaker() as s:
        row = (await s.execute(text(
            "SELECT st.id, st.first_name || ' ' || st.last_name FROM students st "
            "JOIN classes c ON c.id = st.class_id JOIN schools sc ON sc.id = st.school_id "
            "WHERE c.name = :c AND sc.external_id = :s ORDER BY st.id OFFSET :o LIMIT 1"),
            {"c": class_name, "s": school, "o": offset})).one()
    return row[0], row[1]


async def _issue(env: BotEnv, student_id: int,
                 kind: LinkKind = LinkKind.GUARDIAN) -> codes.IssuedCode:
    async with env.db.sessionmaker.begin() as s:
        return (await codes.issue_student_codes(s, [student_id], (kind,), secret=CODE_SECRET))[0]


async def _live_links(env: BotEnv, telegram_id: int) -> int:
    return await env.scalar(
        "SELECT count(*) FROM account_links l JOIN accounts a ON a.id = l.account_id "
        "WHERE a.telegram_id = :t AND l.revoked_at IS NULL", t=telegram_id)


# --- codes --------------------------------------------------------------------------------


def test_code_format_is_unambiguous_and_strong() -> None:
    generated = {codes.generate_code() for _ in range(200)}
    assert len(generated) == 200
    assert len(codes.ALPHABET) ** codes.CODE_LENGTH >= 2**40
    assert not set("01OILU") & set("".join(generated))
    formatted = codes.format_code("K7QMX3PD9T")
    assert formatted == "K7QMX-3PD9T"
    assert codes.normalize_code(" k7qmx 3pd9t ") == "K7QMX3PD9T"
    assert codes.normalize_code("k7qmx-3pd9t") == "K7QMX3PD9T"
    assert codes.normalize_code("K7QMX-3PD9") == ""  # too short


async def test_deep_link_consent_then_data_visible(bot_env: BotEnv) -> None:
    student_id, name = await _student(bot_env)
    code = await _issue(bot_env, student_id)
    assert code.deep_link("diary_demo_bot") == f"https://t.me/diary_demo_bot?start={code.payload}"
    parent = bot_env.client(NEW_PARENT)

    replies = await parent.send(f"/start {code.payload}")
    assert name in replies[-1].text and "152-ФЗ" in replies[-1].text
    assert await _live_links(bot_env, NEW_PARENT) == 1
    # Before consent nothing is shown: the menu asks to answer first.
    await parent.send("/menu")
    assert "согласи" in parent.last_text.lower()

    await parent.press("Согласен")
    assert name.split()[0] in parent.last_text  # the main menu names the child
    assert any("Оценки" in b[0] for b in parent.buttons())
    consent = (await bot_env.scalar(
        "SELECT decision || ':' || text_version FROM consents c JOIN accounts a "
        "ON a.id = c.account_id WHERE a.telegram_id = :t", t=NEW_PARENT))
    assert consent == "given:1"


async def test_start_alone_asks_for_code_and_typed_code_works(bot_env: BotEnv) -> None:
    student_id, name = await _student(bot_env, offset=3)
    code = await _issue(bot_env, student_id)
    parent = bot_env.client(NEW_PARENT)
    await parent.send("/start")
    assert "код" in parent.last_text.lower()
    messy = " ".join(code.payload[i:i + 3] for i in range(0, 10, 3)).lower()
    replies = await parent.send(messy)
    assert name in replies[-1].text


async def test_bad_codes_get_one_reply_and_change_nothing(bot_env: BotEnv) -> None:
    student_id, _ = await _student(bot_env, offset=4)
    used = await _issue(bot_env, student_id)
    await bot_env.client(NEW_PARENT + 1).send(f"/start {used.payload}")
    revoked = await _issue(bot_env, student_id, LinkKind.STUDENT)
    await _issue(bot_env, student_id, LinkKind.STUDENT)  # re-issuing revokes the previous
    expired = await _issue(bot_env, (await _student(bot_env, offset=5))[0])

    # One chat per code: from a chat's third failure on, the reply also counts its tries.
    replies = []
    for n, payload in enumerate(("ZZZZZ22222", used.payload, revoked.payload)):
        replies.append((await bot_env.client(NEW_PARENT + 10 + n)
                        .send(f"/start {payload}"))[-1].text)
    with clock.frozen(DEMO_NOW + dt.timedelta(hours=73)):
        replies.append((await bot_env.client(NEW_PARENT).send(expired.payload))[-1].text)
    assert len(set(replies)) == 1 and "не подош" in replies[0]
    assert "72 часа" in replies[0] and "классный руководитель" in replies[0]
    assert await _live_links(bot_env, NEW_PARENT) == 0
    failures = await bot_env.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'link_failed' AND telegram_id "
        "BETWEEN :t AND :t + 12", t=NEW_PARENT)
    assert failures == 4


async def test_third_failure_says_how_many_tries_are_left(bot_env: BotEnv) -> None:
    parent = bot_env.client(NEW_PARENT)
    first = (await parent.send("/start 2222233333"))[-1].text
    second = (await parent.send("/start 2222233334"))[-1].text
    assert first == second and "попыт" not in first
    assert "Осталось 2 попытки" in (await parent.send("/start 2222233335"))[-1].text
    assert "Осталась 1 попытка" in (await parent.send("/start 2222233336"))[-1].text
    assert "Попытки закончились" in (await parent.send("/start 2222233337"))[-1].text
    assert "Слишком много" in (await parent.send("/start 2222233338"))[-1].text


async def test_bad_code_reply_uses_the_schools_code_lifetime_in_english(
        bot_env: BotEnv) -> None:
    async with bot_env.db.sessionmaker.begin() as s:
        await s.execute(text("UPDATE schools SET link_code_ttl_hours = 48"))
    parent = bot_env.client(NEW_PARENT, language_code="en")
    replies = [(await parent.send(f"/start 222223333{n}"))[-1].text for n in (2, 3, 4)]
    assert "valid for 48 hours" in replies[0] and "class teacher" in replies[0]
    assert "tries" not in replies[1]
    assert "2 tries are left" in replies[2] and "valid for 48 hours" in replies[2]


async def test_five_failures_lock_even_a_correct_code(bot_env: BotEnv) -> None:
    student_id, name = await _student(bot_env, offset=6)
    good = await _issue(bot_env, student_id)
    parent = bot_env.client(NEW_PARENT)
    for _ in range(5):
        await parent.send("/start 2222233333")
    replies = await parent.send(f"/start {good.payload}")
    assert "Слишком много" in replies[-1].text and "60 минут" in replies[-1].text
    assert await _live_links(bot_env, NEW_PARENT) == 0
    with clock.frozen(DEMO_NOW + dt.timedelta(minutes=30)):
        replies = await parent.send(good.payload)
        assert "30 минут" in replies[-1].text
    with clock.frozen(DEMO_NOW + dt.timedelta(minutes=61)):
        replies = await parent.send(good.payload)
    assert name in replies[-1].text


async def test_code_never_stored_or_logged_in_plaintext(bot_env: BotEnv, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    student_id, _ = await _student(bot_env, offset=7)
    code = await _issue(bot_env, student_id)
    parent = bot_env.client(NEW_PARENT)
    await parent.send(f"/start {code.payload}")
    await parent.press("Согласен")
    await bot_env.client(NEW_PARENT + 1).send(code.code)  # a second, failed use
    async with bot_env.db.sessionmaker() as s:
        tables = (await s.scalars(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))).all()
        for table in tables:
            hits = await s.scalar(text(
                f'SELECT count(*) FROM "{table}" t WHERE t::text ILIKE :a OR t::text ILIKE :b'),
                {"a": f"%{code.payload}%", "b": f"%{code.code}%"})
            assert hits == 0, table
    assert code.payload not in caplog.text and code.code not in caplog.text


# --- consent ------------------------------------------------------------------------------


async def _link_new_parent(env: BotEnv, offset: int = 8) -> tuple[int, object]:
    student_id, _ = await _student(env, offset=offset)
    code = await _issue(env, student_id)
    parent = env.client(NEW_PARENT)
    await parent.send(f"/start {code.payload}")
    return student_id, parent


async def test_refusal_links_nothing_and_records_paper(bot_env: BotEnv) -> None:
    student_id, parent = await _link_new_parent(bot_env)
    await parent.press("Не согласен")  # type: ignore[attr-defined]
    await parent.press("Да, отказываюсь")  # type: ignore[attr-defined]
    assert "бумаге" in parent.last_text  # type: ignore[attr-defined]
    assert await _live_links(bot_env, NEW_PARENT) == 0
    assert await bot_env.scalar(
        "SELECT bool_and(g.prefers_paper) FROM guardians g JOIN guardian_students gs "
        "ON gs.guardian_id = g.id WHERE gs.student_id = :s", s=student_id)
    assert await bot_env.scalar(
        "SELECT decision FROM consents WHERE student_id = :s", s=student_id) == "refused"


async def test_withdrawal_unlinks_stops_pushes_and_records_paper(bot_env: BotEnv) -> None:
    student_id, parent = await _link_new_parent(bot_env)
    await parent.press("Согласен")  # type: ignore[attr-defined]
    account_id = await bot_env.scalar("SELECT id FROM accounts WHERE telegram_id = :t",
                                      t=NEW_PARENT)
    async with bot_env.db.sessionmaker.begin() as s:
        from services import outbox
        from services.push_events import MarkEvent

        await outbox.enqueue(s, account_id=account_id, chat_id=NEW_PARENT,
                             event=MarkEvent(type="mark_added", subject="", work_type="",
                                             weight=1, date=None), dedupe_key="t1",
                             student_id=student_id)
    await parent.send("/settings")  # type: ignore[attr-defined]
    await parent.press("Отозвать согласие")  # type: ignore[attr-defined]
    await parent.press("Да, подтверждаю")  # type: ignore[attr-defined]
    assert "Согласие отозвано" in parent.last_text  # type: ignore[attr-defined]
    assert await _live_links(bot_env, NEW_PARENT) == 0
    assert await bot_env.scalar("SELECT status FROM notifications WHERE dedupe_key = 't1'") \
        == "dropped"
    assert await bot_env.scalar(
        "SELECT decision FROM consents WHERE student_id = :s ORDER BY id DESC LIMIT 1",
        s=student_id) == "withdrawn"


async def test_new_consent_version_asks_again(bot_env: BotEnv) -> None:
    guardian = bot_env.client(GUARDIAN)
    await guardian.send("/menu")
    assert "Оценки" in " ".join(b[0] for b in guardian.buttons())
    school_id = await bot_env.scalar("SELECT id FROM schools WHERE external_id='demo-school'")
    async with bot_env.db.sessionmaker.begin() as s:
        assert await consent.publish_consent_version(s, school_id) == 2
    await guardian.send("/menu")
    assert "согласи" in guardian.last_text.lower()
    replies = await guardian.send("/start")
    assert "Редакция текста согласия: 2" in replies[-1].text
    await guardian.press("Согласен")
    assert await bot_env.scalar(
        "SELECT max(text_version) FROM consents c JOIN accounts a ON a.id = c.account_id "
        "WHERE a.telegram_id = :t AND decision = 'given'", t=GUARDIAN) == 2


# --- roles, switching, forged input --------------------------------------------------------


async def test_guardian_switches_child_and_it_is_remembered(bot_env: BotEnv) -> None:
    guardian = bot_env.client(GUARDIAN)
    await guardian.send("/menu")
    first = guardian.last_text
    await guardian.press("Другой ребёнок")
    labels = [b[0] for b in guardian.buttons() if "✅" not in b[0] and "Меню" not in b[0]]
    await guardian.press(labels[0])
    assert guardian.last_text != first
    active = await bot_env.scalar(
        "SELECT c.name FROM accounts a JOIN students s ON s.id = a.active_student_id "
        "JOIN classes c ON c.id = s.class_id WHERE a.telegram_id = :t", t=GUARDIAN)
    assert active == "1А"
    await guardian.send("/menu")
    assert "1А" in guardian.last_text
    assert "Оценки" not in " ".join(b[0] for b in guardian.buttons())  # first grade: no marks


async def _denials(env: BotEnv) -> int:
    return await env.scalar("SELECT count(*) FROM audit_log WHERE action = 'access_denied'")


async def test_forged_callbacks_are_refused_and_audited(bot_env: BotEnv) -> None:
    stranger_id, _ = await _student(bot_env, offset=10)
    lyceum_id, _ = await _student(bot_env, "5Л", school="demo-lyceum")
    guardian = bot_env.client(GUARDIAN)
    await guardian.send("/menu")
    forged = [ChildCb(student_id=stranger_id), ChildCb(student_id=lyceum_id),
              ConsentCb(student_id=stranger_id, accept=True),
              SetCb(action="unlink", s=stranger_id), SetCb(action="withdraw", s=lyceum_id),
              SetCb(action="unlink-ask", s=stranger_id)]
    before = await _denials(bot_env)
    links_before = await bot_env.scalar("SELECT count(*) FROM account_links")
    for data in forged:
        replies = await guardian.click(data.pack())
        assert replies[-1].alert == "Это недоступно.", data
    assert await _denials(bot_env) == before + len(forged)
    assert await bot_env.scalar("SELECT count(*) FROM account_links") == links_before
    assert await _live_links(bot_env, GUARDIAN) == 2


async def test_class_teacher_gets_code_slips_but_not_for_other_classes(bot_env: BotEnv) -> None:
    import io

    from pypdf import PdfReader

    teacher = bot_env.client(CLASS_TEACHER)
    await teacher.send("/menu")
    await teacher.press("Коды доступа")
    assert teacher.buttons()[0][0] == "5А"
    await teacher.press("5А")
    replies = await teacher.press("🖨 Коды всему классу")
    doc = next(r for r in replies if r.method == "sendDocument")
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(doc.document_bytes)).pages)
    _, name = await _student(bot_env)
    assert name.split()[1] in pdf_text and "t.me/diary_demo_bot?start=" in pdf_text
    issued = await bot_env.scalar("SELECT count(*) FROM link_codes WHERE revoked_at IS NULL")
    students = await bot_env.scalar(
        "SELECT count(*) FROM students s JOIN classes c ON c.id = s.class_id "
        "JOIN schools sc ON sc.id = s.school_id "
        "WHERE c.name = '5А' AND sc.external_id = 'demo-school' AND s.status = 'active'")
    assert issued == students

    from handlers.codes import CodesCb

    other = await bot_env.scalar(
        "SELECT c.id FROM classes c JOIN schools s ON s.id = c.school_id "
        "WHERE c.name = '7Б' AND s.external_id = 'demo-school'")
    lyceum = await bot_env.scalar(
        "SELECT c.id FROM classes c JOIN schools s ON s.id = c.school_id "
        "WHERE s.external_id = 'demo-lyceum' LIMIT 1")
    for class_id in (other, lyceum):
        replies = await teacher.click(CodesCb(class_id=class_id).pack())
        assert replies[-1].alert == "Это недоступно."
    admin = bot_env.client(ADMIN)
    assert (await admin.click(CodesCb(class_id=lyceum).pack()))[-1].alert == "Это недоступно."


async def test_staff_code_links_a_teacher(bot_env: BotEnv) -> None:
    staff_id = await bot_env.scalar(
        "SELECT s.id FROM staff s JOIN schools sc ON sc.id = s.school_id "
        "WHERE sc.external_id = 'demo-school' AND NOT EXISTS (SELECT 1 FROM account_links l "
        "WHERE l.staff_id = s.id) ORDER BY s.id LIMIT 1")
    async with bot_env.db.sessionmaker.begin() as s:
        code = await staff_codes.issue_staff_code(s, staff_id, secret=CODE_SECRET)
    teacher = bot_env.client(NEW_PARENT)
    replies = await teacher.send(f"/start {code.payload}")
    assert "сотрудник" in replies[0].text
    assert any("Классы" in b[0] for b in teacher.buttons())


# --- termination ---------------------------------------------------------------------------


async def _guardian_child(env: BotEnv) -> int:
    return await env.scalar(
        "SELECT a.active_student_id FROM accounts a WHERE a.telegram_id = :t", t=GUARDIAN)


async def test_student_leaving_revokes_links_and_notifies(bot_env: BotEnv) -> None:
    child = await _guardian_child(bot_env)
    async with bot_env.db.sessionmaker.begin() as s:
        assert await offboarding.student_left(s, child) >= 1
    assert await _live_links(bot_env, GUARDIAN) == 1  # the other child stays
    payload = await bot_env.scalar(
        "SELECT n.payload->>'reason' FROM notifications n JOIN accounts a "
        "ON a.id = n.account_id WHERE a.telegram_id = :t AND n.kind = 'access'", t=GUARDIAN)
    assert payload == "left_school"
    guardian = bot_env.client(GUARDIAN)
    replies = await guardian.click(ChildCb(student_id=child).pack())
    assert replies[-1].alert == "Это недоступно."
    await guardian.send("/menu")
    assert "5А" not in guardian.last_text


async def test_admin_annulment_and_transfer(bot_env: BotEnv) -> None:
    child = await _guardian_child(bot_env)
    account_id = await bot_env.scalar("SELECT id FROM accounts WHERE telegram_id = :t",
                                      t=GUARDIAN)
    other_class = await bot_env.scalar(
        "SELECT c.id FROM classes c JOIN schools s ON s.id = c.school_id "
        "WHERE c.name = '7Б' AND s.external_id = 'demo-school'")
    async with bot_env.db.sessionmaker.begin() as s:
        await offboarding.transfer_student(s, child, other_class, clock.today("Europe/Moscow"))
    guardian = bot_env.client(GUARDIAN)
    await guardian.send("/menu")
    assert "7Б" in guardian.last_text  # moving to another class keeps the links
    assert await _live_links(bot_env, GUARDIAN) == 2
    async with bot_env.db.sessionmaker.begin() as s:
        assert await offboarding.annul_guardian(s, account_id, child) == 1
    assert await _live_links(bot_env, GUARDIAN) == 1
    assert await bot_env.scalar(
        "SELECT count(*) FROM notifications WHERE account_id = :a "
        "AND payload->>'reason' = 'annulled'", a=account_id) == 1


# --- anything else ------------------------------------------------------------------------


async def test_unexpected_input_gets_short_replies(bot_env: BotEnv, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING)
    user = bot_env.client(GUARDIAN)
    for send in (user.send_sticker, user.send_photo, user.send_voice):
        replies = await send()
        assert replies[-1].text == "Я понимаю только текст и кнопки. Откройте /menu."
    assert "Не понял" in (await user.send("/nonsense"))[-1].text
    assert "не больше" in (await user.send("я" * 5000))[-1].text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_language_switch_to_english(bot_env: BotEnv) -> None:
    guardian = bot_env.client(GUARDIAN)
    await guardian.send("/settings")
    await guardian.press("English")
    assert "Language: 🇬🇧 English" in guardian.last_text
    await guardian.send("/menu")
    assert "School diary" in guardian.last_text
    assert "Marks" in " ".join(b[0] for b in guardian.buttons())


async def test_new_english_user_gets_english_welcome(bot_env: BotEnv) -> None:
    user = bot_env.client(NEW_PARENT, language_code="en")
    replies = await user.send("/start")
    assert replies[-1].text.startswith("Hello!")
    for _ in range(5):
        await user.send("/start 2222233333")
    replies = await user.send("/start 2222233333")
    assert "60 minutes" in replies[-1].text


async def test_student_sees_only_themself(bot_env: BotEnv) -> None:
    student = bot_env.client(STUDENT)
    await student.send("/menu")
    assert "Другой ребёнок" not in " ".join(b[0] for b in student.buttons())
    other, _ = await _student(bot_env, offset=11)
    replies = await student.click(ChildCb(student_id=other).pack())
    assert replies[-1].alert == "Это недоступно."
    own = await bot_env.scalar(
        "SELECT l.student_id FROM account_links l JOIN accounts a ON a.id = l.account_id "
        "WHERE a.telegram_id = :t", t=STUDENT)
    assert own is not None


async def test_admin_issues_a_staff_code_in_the_bot(bot_env: BotEnv) -> None:
    from handlers.codes import StaffCodeCb

    admin = bot_env.client(ADMIN)
    await admin.send("/menu")
    await admin.press("Коды доступа")
    await admin.press("Коды для сотрудников")
    colleague = admin.buttons()[0][0]
    await admin.press(colleague)
    text_ = admin.last_text
    assert colleague in text_ and "t.me/diary_demo_bot?start=" in text_ and "72 ч" in text_
    payload = text_.split("?start=")[1].split()[0]
    newcomer = bot_env.client(NEW_PARENT)
    assert "сотрудник" in (await newcomer.send(f"/start {payload}"))[0].text
    # A class teacher is not an admin; the other school's staff are out of reach.
    lyceum_staff = await bot_env.scalar(
        "SELECT s.id FROM staff s JOIN schools sc ON sc.id = s.school_id "
        "WHERE sc.external_id = 'demo-lyceum' LIMIT 1")
    for user, staff_id in ((CLASS_TEACHER, 1), (ADMIN, lyceum_staff)):
        replies = await bot_env.client(user).click(StaffCodeCb(staff_id=staff_id).pack())
        assert replies[-1].alert == "Это недоступно."


async def test_an_outage_gets_an_apology_not_silence(bot_env: BotEnv, caplog) -> None:  # type: ignore[no-untyped-def]
    from services.db import make_engine, make_sessionmaker

    broken = make_engine(bot_env.db.url.replace("/t_", "/missing_t_"))
    bot_env.dp["sessionmaker"] = make_sessionmaker(broken)
    try:
        replies = await bot_env.client(GUARDIAN).send("/menu")
    finally:
        bot_env.dp["sessionmaker"] = bot_env.db.sessionmaker
        await broken.dispose()
    assert replies[-1].text == "Что-то пошло не так. Попробуйте ещё раз чуть позже."
    assert any(r.levelno == logging.ERROR for r in caplog.records)


async def test_text_that_is_no_code_gets_a_hint_and_costs_no_attempt(bot_env: BotEnv) -> None:
    parent = bot_env.client(NEW_PARENT)
    await parent.send("/start")
    for text_ in ("привет", "12345", "K7QMX-3PD9"):
        replies = await parent.send(text_)
        assert "10 латинских букв и цифр" in replies[-1].text
    assert await bot_env.scalar(
        "SELECT count(*) FROM link_attempts WHERE telegram_id = :t", t=NEW_PARENT) == 0


async def test_guardian_links_another_child_from_settings(bot_env: BotEnv) -> None:
    student_id, name = await _student(bot_env, "7Б")
    code = await _issue(bot_env, student_id)
    guardian = bot_env.client(GUARDIAN)
    await guardian.send("/settings")
    await guardian.press("Привязать ещё ребёнка")
    assert "код доступа" in guardian.last_text
    replies = await guardian.send(code.code.lower())
    assert name in replies[-1].text
    await guardian.press("Согласен")
    assert await _live_links(bot_env, GUARDIAN) == 3
    await guardian.press("Другой ребёнок")
    assert len([b for b in guardian.buttons() if "Меню" not in b[0]]) == 3
