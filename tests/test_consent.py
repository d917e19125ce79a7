"""Consent covers every way in (152-FZ): students' own chats wait for a guardian's consent,
a refusal is asked about first and keeps the code, staff record paper forms and see each
class's picture; in the bot and from the CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from sqlalchemy import text

from services import codes, consent, notifications
from services.models import LinkKind
from tests.conftest import CODE_SECRET, BotEnv
from tests.test_cli import diary

CLASS_TEACHER = 2001  # demo: class teacher of 5А
NEW_PARENT, SECOND_PARENT, NEW_STUDENT = 5101, 5102, 5103


async def _fresh_student(env: BotEnv, offset: int = 0) -> tuple[int, str, list[int]]:
    """A 5А student nobody is linked to and nobody has decided for, with two guardians:
    (id, "First Last", guardian ids)."""
    async with env.db.sessionmaker() as s:
        row = (await s.execute(text(
            "SELECT st.id, st.first_name || ' ' || st.last_name FROM students st "
            "JOIN classes c ON c.id = st.class_id JOIN schools sc ON sc.id = st.school_id "
            "WHERE c.name = '5А' AND sc.external_id = 'demo-school' "
            "AND (SELECT count(*) FROM guardian_students g WHERE g.student_id = st.id) = 2 "
            "AND NOT EXISTS (SELECT 1 FROM account_links l WHERE l.student_id = st.id) "
            "AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.student_id = st.id) "
            "ORDER BY st.id OFFSET :o LIMIT 1"), {"o": offset})).one()
        guardians = list(await s.scalars(text(
            "SELECT guardian_id FROM guardian_students WHERE student_id = :s "
            "ORDER BY guardian_id"), {"s": row[0]}))
    return row[0], row[1], guardians


async def _code(env: BotEnv, student_id: int, kind: LinkKind = LinkKind.GUARDIAN,
                guardian_id: int | None = None) -> codes.IssuedCode:
    async with env.db.sessionmaker.begin() as s:
        return await codes.issue_one_code(s, student_id, kind, secret=CODE_SECRET,
                                          guardian_id=guardian_id)


def _buttons(client: object) -> str:
    return " ".join(b[0] for b in client.buttons())  # type: ignore[attr-defined]


async def test_a_student_link_waits_until_a_guardian_consents(bot_env: BotEnv) -> None:
    student_id, name, (mother, _) = await _fresh_student(bot_env)
    own = await _code(bot_env, student_id, LinkKind.STUDENT)
    student = bot_env.client(NEW_STUDENT)
    replies = await student.send(f"/start {own.payload}")
    assert "когда родитель" in replies[-1].text and name in replies[-1].text
    await student.send("/menu")
    assert "когда родитель" in student.last_text and "Оценки" not in _buttons(student)
    from handlers.marks import MarksCb

    assert (await student.click(MarksCb(v="r", s=student_id).pack()))[-1].alert \
        == "Данные появятся, когда родитель даст согласие на обработку персональных данных."
    assert "когда родитель" in (await student.send("/marks"))[-1].text
    # No push reaches the waiting chat either.
    async with bot_env.db.sessionmaker() as s:
        assert await notifications.family_recipients(s, [student_id]) == {}

    parent = bot_env.client(NEW_PARENT)
    await parent.send(f"/start {(await _code(bot_env, student_id, guardian_id=mother)).payload}")
    await parent.press("Согласен")
    await student.send("/menu")
    assert "Оценки" in _buttons(student)
    async with bot_env.db.sessionmaker() as s:
        heard = await notifications.family_recipients(s, [student_id])
    assert {r.link_kind for r in heard[student_id]} == {LinkKind.GUARDIAN, LinkKind.STUDENT}


async def test_refusal_asks_first_keeps_the_code_and_concerns_that_guardian(
        bot_env: BotEnv) -> None:
    student_id, name, (mother, father) = await _fresh_student(bot_env, offset=1)
    code = await _code(bot_env, student_id, guardian_id=mother)
    parent = bot_env.client(NEW_PARENT)
    replies = await parent.send(f"/start {code.payload}")
    # The text names the operator, the data, the purposes, the term, how to withdraw.
    request = replies[-1].text
    for part in ("Оператор: Школа № 17", "оценки, посещаемость", "Цель:", "Срок:",
                 "Отозвать согласие", "Редакция текста согласия: 1"):
        assert part in request, part

    await parent.press("Не согласен")
    assert "Точно отказаться?" in parent.last_text
    assert await bot_env.scalar("SELECT count(*) FROM consents WHERE student_id = :s",
                                s=student_id) == 0
    await parent.press("Да, отказываюсь")
    assert "тот же код" in parent.last_text
    flags = await bot_env.scalar(
        "SELECT string_agg(id || ':' || prefers_paper, ',' ORDER BY id) FROM guardians "
        "WHERE id IN (:m, :f)", m=mother, f=father)
    assert flags == f"{mother}:true,{father}:false"  # only the guardian who refused

    # A change of mind: the same code links again.
    replies = await parent.send(code.code)
    assert "согласие" in replies[-1].text.lower() and name in replies[-1].text
    await parent.press("Согласен")
    assert "Оценки" in _buttons(parent)
    assert await bot_env.scalar(
        "SELECT guardian_id FROM account_links l JOIN accounts a ON a.id = l.account_id "
        "WHERE a.telegram_id = :t AND l.revoked_at IS NULL", t=NEW_PARENT) == mother
    assert await bot_env.scalar("SELECT prefers_paper FROM guardians WHERE id = :m",
                                m=mother) is False


async def test_when_every_guardian_who_decided_refused_nothing_is_shown(
        bot_env: BotEnv) -> None:
    student_id, _, (mother, father) = await _fresh_student(bot_env, offset=2)
    student = bot_env.client(NEW_STUDENT)
    await student.send(f"/start {(await _code(bot_env, student_id, LinkKind.STUDENT)).payload}")
    parent = bot_env.client(NEW_PARENT)
    await parent.send(f"/start {(await _code(bot_env, student_id, guardian_id=mother)).payload}")
    await parent.press("Согласен")
    await student.send("/menu")
    assert "Оценки" in _buttons(student)
    # The mother withdraws; the father refuses on paper: nothing electronic remains.
    await parent.send("/settings")
    await parent.press("Отозвать согласие")
    await parent.press("Да, подтверждаю")
    async with bot_env.db.sessionmaker.begin() as s:
        await consent.record_paper(s, student_id=student_id, guardian_id=father, given=False,
                                   signed_on=None, form_number="7")
    await student.send("/menu")
    assert "когда родитель" in student.last_text
    assert student.last_message.reply_markup is None  # no buttons into the diary
    async with bot_env.db.sessionmaker() as s:
        from services.consent_report import Status, class_consent

        class_id = await s.scalar(text("SELECT class_id FROM students WHERE id = :s"),
                                  {"s": student_id})
        report = await class_consent(s, class_id)
    row = next(r for r in report.students if r.student_id == student_id)
    assert row.status == Status.REFUSED and row.own_link.value == "waiting"
    assert {p.guardian_id: p.status for p in row.people} == {mother: Status.REFUSED,
                                                             father: Status.REFUSED}


async def test_class_teacher_records_a_paper_consent_in_the_bot(bot_env: BotEnv) -> None:
    student_id, name, (mother, father) = await _fresh_student(bot_env, offset=3)
    student = bot_env.client(NEW_STUDENT)
    await student.send(f"/start {(await _code(bot_env, student_id, LinkKind.STUDENT)).payload}")
    teacher = bot_env.client(CLASS_TEACHER)
    await teacher.send("/menu")
    await teacher.press("Согласия")
    await teacher.press("5А")
    report = teacher.last_text
    assert "5А: согласия" in report and "⏳" in report and "✅" in report
    await teacher.press("Записать бланк")
    last, first = name.split()[1], name.split()[0]
    await teacher.press(f"{last} {first}")
    father_name = await bot_env.scalar(
        "SELECT last_name || ' ' || first_name FROM guardians WHERE id = :g", g=father)
    await teacher.press(father_name)
    await teacher.press("✅ Согласие")
    assert "номер бланка" in teacher.last_text
    # A date in the future is refused and changes nothing.
    replies = await teacher.send("12 01.12.2030")
    assert "не может быть позже" in replies[-1].text
    replies = await teacher.send("12 20.11.2026")
    assert "Записано: согласие" in replies[-1].text and "бланк № 12 от 20.11.2026" \
        in replies[-1].text
    row = await bot_env.scalar(
        "SELECT source || ':' || form_number || ':' || signed_on || ':' || decision || ':' "
        "|| (recorded_by_id IS NOT NULL) FROM consents WHERE student_id = :s", s=student_id)
    assert row == "paper:12:2026-11-20:given:true"
    # The student's own chat opens; the mother, asked by her own named code, is not asked.
    await student.send("/menu")
    assert "Оценки" in _buttons(student)
    await teacher.press("Назад")
    assert "бланк № 12 от 20.11.2026" in teacher.last_text
    father_code = await _code(bot_env, student_id, guardian_id=father)
    dad = bot_env.client(SECOND_PARENT)
    replies = await dad.send(f"/start {father_code.payload}")
    assert "Готово" in replies[0].text and "Оценки" in _buttons(dad)
    assert mother  # the other guardian's status is untouched
    assert await bot_env.scalar("SELECT count(*) FROM consents WHERE guardian_id = :m",
                                m=mother) == 0


async def test_a_form_refused_at_the_last_step_ends_the_conversation(bot_env: BotEnv) -> None:
    student_id, name, (_, father) = await _fresh_student(bot_env, offset=4)
    teacher = bot_env.client(CLASS_TEACHER)
    await teacher.send("/menu")
    await teacher.press("Согласия")
    await teacher.press("5А")
    await teacher.press("Записать бланк")
    await teacher.press(f"{name.split()[1]} {name.split()[0]}")
    await teacher.press(await bot_env.scalar(
        "SELECT last_name || ' ' || first_name FROM guardians WHERE id = :g", g=father))
    await teacher.press("✅ Согласие")
    # Meanwhile the class gets another class teacher: the form is refused, and audited.
    async with bot_env.db.sessionmaker.begin() as s:
        await s.execute(text("UPDATE classes SET class_teacher_id = NULL WHERE name = '5А'"))
    denied = await bot_env.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'access_denied'")
    replies = await teacher.send("12 20.11.2026")
    assert replies[-1].text == "Это недоступно."
    assert await bot_env.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'access_denied'") == denied + 1
    assert await bot_env.scalar("SELECT count(*) FROM consents WHERE student_id = :s",
                                s=student_id) == 0
    # The next text is no longer read as a form.
    replies = await teacher.send("13 20.11.2026")
    assert "Не понял" in replies[-1].text


async def test_cli_records_forms_and_writes_the_class_csv(bot_env: BotEnv,
                                                          tmp_path: Path) -> None:
    student_id, _, (mother, father) = await _fresh_student(bot_env, offset=4)
    record = diary(bot_env.db, "consent", "record", "--student", str(student_id),
                   "--guardian", str(father), "--decision", "refused", "--date", "2026-11-20",
                   "--form", "A-17", "--by", "Белова")
    assert record.returncode == 0, record.stderr
    assert "refused" in record.stdout
    wrong = diary(bot_env.db, "consent", "record", "--student", str(student_id),
                  "--guardian", "999999", "--decision", "given", "--form", "1")
    assert wrong.returncode == 2
    out = tmp_path / "5a.csv"
    report = diary(bot_env.db, "consent", "report", "--class", "5А", "--school", "demo-school",
                   "--csv", str(out))
    assert report.returncode == 0, report.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    mine = {int(r["guardian_id"]): r for r in rows
            if r["student_id"] == str(student_id) and r["guardian_id"]}
    assert mine[father]["status"] == "refused" and mine[father]["form_number"] == "A-17"
    assert mine[father]["decided_on"] == "2026-11-20" and mine[mother]["status"] == "waiting"
    consented = [r for r in rows if r["status"] == "consented"]
    assert consented and all(r["linked"] in ("yes", "no") for r in rows)
    assert await bot_env.scalar(
        "SELECT details->>'by' FROM audit_log WHERE action = 'consent_recorded'") == "Белова"


async def test_one_code_for_a_named_guardian_leaves_classmates_codes(bot_env: BotEnv) -> None:
    teacher = bot_env.client(CLASS_TEACHER)
    await teacher.send("/menu")
    await teacher.press("Коды доступа")
    await teacher.press("5А")
    await teacher.press("🖨 Коды всему классу")
    issued = await bot_env.scalar("SELECT count(*) FROM link_codes WHERE revoked_at IS NULL")
    # A second bulk run asks first, saying how many unused codes would stop working.
    await teacher.press("🖨 Коды всему классу")
    assert f"{issued} неиспользованных кодов перестанут" in teacher.last_text
    assert await bot_env.scalar("SELECT count(*) FROM link_codes") == issued
    await teacher.press("Назад")

    _, name, (mother, _) = await _fresh_student(bot_env, offset=5)
    mother_name = await bot_env.scalar(
        "SELECT last_name || ' ' || first_name || coalesce(' ' || middle_name, '') "
        "FROM guardians WHERE id = :g", g=mother)
    await teacher.press("Код одному ученику или родителю")
    last, first = name.split()[1], name.split()[0]
    await teacher.press(f"{last} {first}")
    replies = await teacher.press(f"Родителю: {mother_name}")
    doc = next(r for r in replies if r.method == "sendDocument")
    assert mother_name in doc.call.caption
    # Only that guardian's code is new; every bulk code stays valid, this child's included.
    assert await bot_env.scalar(
        "SELECT count(*) FROM link_codes WHERE revoked_at IS NULL") == issued + 1
    assert await bot_env.scalar(
        "SELECT guardian_id FROM link_codes WHERE revoked_at IS NULL AND guardian_id "
        "IS NOT NULL") == mother

    # A lost student slip: that one code is replaced, nobody else's.
    replies = await teacher.press("Самому ученику")
    assert any(r.method == "sendDocument" for r in replies)
    assert await bot_env.scalar(
        "SELECT count(*) FROM link_codes WHERE revoked_at IS NULL") == issued + 2


async def test_cli_issues_one_named_code(bot_env: BotEnv) -> None:
    student_id, _, (mother, _) = await _fresh_student(bot_env, offset=6)
    result = diary(bot_env.db, "codes", "issue-one", "--student", str(student_id),
                   "--guardian", str(mother), "--json")
    assert result.returncode == 0, result.stderr
    row = json.loads(result.stdout)
    parent = bot_env.client(NEW_PARENT)
    await parent.send(f"/start {row['code']}")
    assert await bot_env.scalar(
        "SELECT guardian_id FROM account_links l JOIN accounts a ON a.id = l.account_id "
        "WHERE a.telegram_id = :t", t=NEW_PARENT) == mother
