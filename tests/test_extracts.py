"""Paper extracts: who gets one, what it holds (read back from the PDF with pypdf, Cyrillic
included), when the batch is due across weekends and holidays, and the CLI."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import holidays
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from screens.extracts_pdf import render_extracts_pdf
from screens.i18n import translator
from services.reports.extracts import (
    class_extracts,
    extract_due,
    fortnight_start,
    paper_extract_batches,
)
from tests.conftest import Db
from tests.test_cli import diary

D0, D1 = dt.date(2026, 11, 10), dt.date(2026, 11, 23)
COMMENT = "Молодец: ответ полный, с примерами"


def _pages(pdf: bytes) -> str:
    text_ = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"[ \t]+", " ", text_)


async def _class_id(session: AsyncSession, name: str) -> int:
    return int((await session.execute(text("SELECT id FROM classes WHERE name = :n"),
                                      {"n": name})).scalar_one())


async def test_extract_holds_marks_absences_homework_and_comment(session: AsyncSession) -> None:
    klass = await _class_id(session, "5А")
    student = (await session.execute(text("""
        SELECT st.id, st.last_name || ' ' || st.first_name || ' ' || st.middle_name
        FROM students st WHERE st.class_id = :c AND EXISTS (
            SELECT 1 FROM attendance a WHERE a.student_id = st.id AND a.date BETWEEN :a AND :b)
        AND NOT EXISTS (SELECT 1 FROM account_links al WHERE al.student_id = st.id)
        ORDER BY st.id LIMIT 1"""), {"c": klass, "a": D0, "b": D1})).one()
    await session.execute(text("""
        UPDATE marks SET comment = :comment WHERE id = (SELECT id FROM marks
        WHERE student_id = :s AND date BETWEEN :a AND :b AND deleted_at IS NULL
        ORDER BY date, id LIMIT 1)"""), {"comment": COMMENT, "s": student.id, "a": D0, "b": D1})
    batch = await class_extracts(session, klass, D0, D1)
    pdf = render_extracts_pdf(batch, translator("ru"))
    pages = _pages(pdf).split("Выписка из электронного дневника")[1:]
    assert len(pages) == len(batch.extracts)
    page = next(p for p in pages if f"Ученик: {student[1]}" in p)
    assert "Класс: 5А" in page and "10.11.2026 – 23.11.2026" in page
    assert COMMENT in page.replace("\n", " ")

    marks = (await session.execute(text("""
        SELECT m.date, sj.name, m.value, wt.name AS work FROM marks m
        JOIN subjects sj ON sj.id = m.subject_id JOIN work_types wt ON wt.id = m.work_type_id
        WHERE m.student_id = :s AND m.date BETWEEN :a AND :b AND m.deleted_at IS NULL"""),
        {"s": student.id, "a": D0, "b": D1})).all()
    assert marks
    flat = page.replace("\n", " ")
    for m in marks:
        assert f"{m.date:%d.%m} {m.name} {m.value} {m.work}" in flat, m
    absences = (await session.execute(text(
        "SELECT date, kind::text FROM attendance WHERE student_id = :s "
        "AND date BETWEEN :a AND :b"), {"s": student.id, "a": D0, "b": D1})).all()
    labels = {"absent": "Н (без причины)", "ill": "Б (болезнь)", "excused": "УП (уважительная)",
              "late": "ОП"}
    for a in absences:
        assert re.search(rf"{a.date:%d\.%m} \d+ .*{re.escape(labels[a.kind])}", flat), a
    homework = (await session.execute(text(
        "SELECT count(*) FROM homework WHERE class_id = :c AND due_on BETWEEN :a AND :b "
        "AND subgroup_id IS NULL AND student_id IS NULL"), {"c": klass, "a": D0, "b": D1}
    )).scalar_one()
    mine = next(e for e in batch.extracts if e.student_id == student.id)
    assert len(mine.homework) >= homework > 0
    assert "Домашние задания" in page and "Классный руководитель: Орлова Марина" in flat


async def test_only_families_without_electronic_access(session: AsyncSession) -> None:
    klass = await _class_id(session, "5А")
    students = (await session.execute(text(
        "SELECT count(*) FROM students WHERE class_id = :c AND status = 'active'"),
        {"c": klass})).scalar_one()
    batch = await class_extracts(session, klass, D0, D1)
    names = {e.student for e in batch.extracts}
    # Миша's guardian reads the diary; Артём reads it himself, but his family does not.
    assert len(names) == students - 1
    assert not any(n.startswith("Петров Михаил") for n in names)
    assert any(n.startswith("Ковалёв Артём") for n in names)
    # A guardian who withdrew consent asks for paper even with a chat still linked.
    await session.execute(text(
        "UPDATE guardians SET prefers_paper = true WHERE id IN (SELECT gs.guardian_id "
        "FROM guardian_students gs JOIN students st ON st.id = gs.student_id "
        "WHERE st.last_name = 'Петров' AND st.first_name = 'Михаил')"))
    assert len((await class_extracts(session, klass, D0, D1)).extracts) == students
    batches = await paper_extract_batches(session, 1, D0, D1)
    teachers = dict((await session.execute(text(
        "SELECT name, class_teacher_id FROM classes WHERE school_id = 1"))).all())
    assert [(b.extracts.class_name, b.class_teacher_id) for b in batches] == [
        (n, teachers[n]) for n in ("1А", "5А", "7Б", "10А")]


def _working(day: dt.date) -> bool:
    """Mon-Fri, not a Russian public holiday, not the demo's autumn or winter holidays."""
    school_holidays = ((dt.date(2026, 10, 24), dt.date(2026, 11, 4)),
                       (dt.date(2026, 12, 26), dt.date(2027, 1, 11)))
    return (day.weekday() < 5 and day not in holidays.country_holidays("RU", years=day.year)
            and not any(a <= day <= b for a, b in school_holidays))


def test_batch_day_every_two_weeks_on_the_first_working_day() -> None:
    start = dt.date(2026, 9, 1)  # a Tuesday: fortnights start on Mondays from 31 August
    assert fortnight_start(dt.date(2026, 9, 13), start) == dt.date(2026, 8, 31)
    assert fortnight_start(dt.date(2026, 9, 14), start) == dt.date(2026, 9, 14)
    due = [d for d in (start + dt.timedelta(days=n) for n in range(140))
           if extract_due(d, start, _working)]
    assert due[:3] == [dt.date(2026, 9, 1), dt.date(2026, 9, 14), dt.date(2026, 9, 28)]
    # Autumn holidays (24 Oct - 4 Nov, 4 Nov also a public holiday): the fortnight of
    # 26 October gets its batch on Thursday 5 November; winter holidays and the New Year
    # push the fortnight of 4 January to Tuesday 12 January.
    assert dt.date(2026, 11, 5) in due and dt.date(2026, 10, 26) not in due
    assert dt.date(2027, 1, 12) in due and dt.date(2027, 1, 4) not in due
    assert extract_due(dt.date(2026, 11, 5), start, _working) == dt.date(2026, 10, 26)
    # Once per fortnight, never on a weekend.
    assert len({fortnight_start(d, start) for d in due}) == len(due)
    assert all(d.weekday() < 5 for d in due)


def test_cli_extracts_and_reports(demo_db: Db, tmp_path: Path) -> None:
    pdf = tmp_path / "5a.pdf"
    result = diary(demo_db, "extracts", "--class", "5а", "--from", "2026-11-10",
                   "--to", "2026-11-23", "--pdf", str(pdf))
    assert result.returncode == 0, result.stderr
    assert "AIOGRAM" not in result.stderr and "25 extract(s)" in result.stdout
    text_ = _pages(pdf.read_bytes())
    assert text_.count("Выписка из электронного дневника") == 25 and "Ковалёв Артём" in text_

    xlsx, sheet_pdf = tmp_path / "sheet.xlsx", tmp_path / "sheet.pdf"
    result = diary(demo_db, "report", "term-sheet", "--school", "demo-school", "--class", "7Б",
                   "--period", "1 четверть", "--xlsx", str(xlsx), "--pdf", str(sheet_pdf))
    assert result.returncode == 0, result.stderr
    assert "AIOGRAM" not in result.stderr
    ws = load_workbook(xlsx).worksheets[0]
    assert ws["A1"].value == "Ведомость отметок: Отметки за период" and ws.max_row == 4 + 24
    assert "Ведомость отметок" in _pages(sheet_pdf.read_bytes())

    activity = tmp_path / "activity.xlsx"
    result = diary(demo_db, "report", "activity", "--school", "demo-school", "--from",
                   "2026-10-01", "--to", "2026-10-31", "--xlsx", str(activity), "--locale", "en")
    assert result.returncode == 0, result.stderr
    ws = load_workbook(activity).worksheets[0]
    assert "01.10.2026–31.10.2026" in ws["A2"].value and ws["A4"].value == "Class"
    # The demo chats were last seen on 24 October.
    assert [r[2].value for r in ws.iter_rows(min_row=5)] == [1, 1, 0, 0]

    missing = diary(demo_db, "report", "progress", "--school", "demo-school", "--class", "9Я",
                    "--xlsx", str(xlsx))
    assert missing.returncode == 2 and "no class named 9Я" in missing.stderr
    bad = diary(demo_db, "report", "progress", "--school", "demo-school", "--period",
                "5 четверть", "--xlsx", str(xlsx))
    assert bad.returncode == 2 and "no single period" in bad.stderr


async def test_fortnight_batch_is_queued_once_across_two_processes(demo_db: Db) -> None:
    """The wiring the scheduler uses: `run_once` on the fortnight's run key, the work
    queueing one staff push per class teacher. Two processes racing get one run."""
    import asyncio

    from bot.scheduler import run_once
    from screens.pushes import PushRow, compose
    from services.notifications import school_clock
    from services.reports.extracts import fortnight_extracts, queue_fortnight_extracts

    today = dt.date(2026, 11, 23)  # Monday: the fortnight of 23 November starts today
    async with demo_db.sessionmaker() as s:
        found = await fortnight_extracts(s, 1, today, _working)
        assert await fortnight_extracts(s, 1, today + dt.timedelta(days=1), _working) is None
    assert found is not None and found.run_key == "paper-extracts:1:2026-11-23"

    async def work(session: AsyncSession) -> int:
        return await queue_fortnight_extracts(session, await school_clock(session, 1), today,
                                              _working)

    results = await asyncio.gather(*(run_once(demo_db.sessionmaker, "paper-extracts",
                                              found.run_key, work) for _ in range(2)))
    assert sorted(results, key=str) == [1, None]  # only 5А's teacher has a chat
    async with demo_db.sessionmaker() as s:
        rows = (await s.execute(text(
            "SELECT n.kind, n.payload, n.dedupe_key, a.telegram_id FROM notifications n "
            "JOIN accounts a ON a.id = n.account_id"))).all()
    assert [(r.kind, r.payload["class"], r.payload["count"], r.telegram_id) for r in rows] == [
        ("staff", "5А", 25, 2001)]
    # What the class teacher reads when the worker sends it.
    texts = [m.text for m in compose([PushRow.from_stored(
        1, rows[0].kind, rows[0].payload, None, dt.datetime(2026, 11, 23, 5, 0, tzinfo=dt.UTC))],
        translator("ru"))]
    assert texts == ["🖨 <b>Выписки на бумаге, 5А</b>: 25 учеников, 10 ноября – 23 ноября. "
                     "Меню → Отчёты → Выписки на бумаге."]
