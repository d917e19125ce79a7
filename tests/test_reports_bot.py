"""Reports and paper extracts in the bot: the class teacher and the admin get them as
documents that open; a clerk is refused marks reports; forged buttons are refused."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from pypdf import PdfReader

from screens.reports import ReportChoice, ReportsAction, ReportsCb
from tests.conftest import BotEnv

CLASS_TEACHER, SUBJECT_TEACHER, ADMIN, INSPECTOR = 2001, 2002, 2003, 2004
NOT_AVAILABLE = "Это недоступно."


def _documents(replies: list) -> list:  # type: ignore[type-arg]
    return [r for r in replies if r.method == "sendDocument"]


async def test_class_teacher_gets_every_report_of_her_class(bot_env: BotEnv) -> None:
    teacher = bot_env.client(CLASS_TEACHER)
    await teacher.send("/menu")
    await teacher.press("📑 Отчёты")
    offered = [text for text, _ in teacher.buttons()]
    assert "🖨 Выписки на бумаге" in offered and "Ведомость отметок" in offered
    # A class teacher has no school-wide monthly activity report.
    assert "Активность пользователей за месяц" not in offered
    for title, by_period in (("Успеваемость и качество знаний", True),
                             ("Заполнение журнала", True), ("Выполнение учебного плана", False),
                             ("Проверка итоговых отметок", True),
                             ("Согласия на обработку персональных данных", False),
                             ("Ведомость отметок", True)):
        await teacher.press(title)
        assert [text for text, _ in teacher.buttons()][:1] == ["5А"]  # her class only
        replies = await teacher.press("5А")
        if by_period:
            # The terms begun so far, after the default (the latest ended one).
            assert [text for text, _ in teacher.buttons()][1:3] == ["1 четверть",
                                                                    "2 четверть"]
            replies = await teacher.press("1 четверть")
        sent = _documents(replies)
        assert sent and sent[0].call.document.filename.endswith(".xlsx"), title
        book = load_workbook(io.BytesIO(sent[0].file_bytes))
        assert book.worksheets[0]["A1"].value.startswith(title)
        if by_period:
            assert "1 четверть" in book.worksheets[0]["A2"].value
        if title == "Ведомость отметок":
            pdf = PdfReader(io.BytesIO(sent[1].file_bytes))
            assert "Ведомость отметок" in pdf.pages[0].extract_text()
        await teacher.send("/menu")
        await teacher.press("📑 Отчёты")
    await teacher.press("🖨 Выписки на бумаге")
    sent = _documents(await teacher.press("5А"))
    assert sent and sent[0].call.document.filename.endswith(".pdf")
    text = PdfReader(io.BytesIO(sent[0].file_bytes)).pages[0].extract_text()
    assert "Выписка из электронного дневника" in text and "5А" in text


async def test_admin_gets_school_reports(bot_env: BotEnv) -> None:
    admin = bot_env.client(ADMIN)
    await admin.send("/menu")
    await admin.press("📑 Отчёты")
    await admin.press("Успеваемость и качество знаний")
    await admin.press("🏫 Вся школа")
    sent = _documents(await admin.press("⏮ Последняя завершённая четверть (полугодие)"))
    book = load_workbook(io.BytesIO(sent[0].file_bytes))
    assert [r[0].value for r in book.worksheets[0].iter_rows(min_row=5)] == ["5А", "7Б", "10А"]
    await admin.press("⬅️ Назад")
    await admin.press("⬅️ Назад")
    await admin.press("Активность пользователей за месяц")
    sent = _documents(await admin.press("🏫 Вся школа"))
    book = load_workbook(io.BytesIO(sent[0].file_bytes))
    assert [r[0].value for r in book.worksheets[0].iter_rows(min_row=5)] == [
        "1А", "5А", "7Б", "10А"]
    assert sent[0].call.caption.startswith("Активность пользователей за месяц")


async def test_clerk_is_refused_marks_reports(bot_env: BotEnv) -> None:
    # The demo's clerk has no chat: give the subject teacher's account the clerk's staff.
    clerk_staff = await bot_env.scalar(
        "SELECT staff_id FROM staff_roles WHERE role = 'clerk' LIMIT 1")
    async with bot_env.db.sessionmaker.begin() as s:
        from sqlalchemy import text

        await s.execute(text("UPDATE account_links SET staff_id = :c WHERE account_id = "
                             "(SELECT id FROM accounts WHERE telegram_id = :t) "
                             "AND kind = 'staff'"), {"c": clerk_staff, "t": SUBJECT_TEACHER})
    clerk = bot_env.client(SUBJECT_TEACHER)
    await clerk.send("/menu")
    await clerk.press("📑 Отчёты")
    offered = [text for text, _ in clerk.buttons()]
    assert "Согласия на обработку персональных данных" in offered
    assert "Успеваемость и качество знаний" not in offered
    assert "🖨 Выписки на бумаге" not in offered
    class_5a = await bot_env.scalar("SELECT id FROM classes WHERE name = '5А'")
    for choice in (ReportChoice.PROGRESS, ReportChoice.COMPLETION, ReportChoice.TERM_SHEET,
                   ReportChoice.EXTRACTS):
        for c in (0, class_5a):
            replies = await clerk.click(ReportsCb(ReportsAction.MAKE, choice, c).pack())
            assert replies[-1].alert == NOT_AVAILABLE, (choice, c)
            assert not _documents(replies)
    sent = _documents(await clerk.click(
        ReportsCb(ReportsAction.MAKE, ReportChoice.CONSENTS, 0).pack()))
    assert sent


async def test_another_schools_period_is_refused(bot_env: BotEnv) -> None:
    teacher = bot_env.client(CLASS_TEACHER)
    await teacher.send("/menu")
    class_5a = await bot_env.scalar("SELECT id FROM classes WHERE name = '5А'")
    lyceum_term = await bot_env.scalar(
        "SELECT p.id FROM periods p JOIN schools s ON s.id = p.school_id "
        "WHERE s.external_id = 'demo-lyceum' AND p.kind = 'quarter' LIMIT 1")
    replies = await teacher.click(ReportsCb(ReportsAction.MAKE, ReportChoice.PROGRESS,
                                            class_5a, lyceum_term).pack())
    assert replies[-1].alert == NOT_AVAILABLE and not _documents(replies)
    assert await bot_env.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'access_denied' "
        "AND details->>'what' = 'report'") == 1
    assert await bot_env.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'report_made'") == 0
