"""Minimal rows for tests that need a school without the whole demo seed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.models import (
    AcademicYear,
    ClassGroup,
    School,
    Staff,
    Student,
    Subject,
    WorkType,
)


@dataclass
class MiniSchool:
    school: School
    first_grader: Student
    fifth_grader: Student
    subject: Subject
    work_type: WorkType
    teacher: Staff


async def mini_school(session: AsyncSession) -> MiniSchool:
    school = School(name="Тестовая школа", timezone="Europe/Moscow")
    session.add(school)
    await session.flush()
    year = AcademicYear(school_id=school.id, name="2026/2027", starts_on=dt.date(2026, 9, 1),
                        ends_on=dt.date(2027, 5, 31))
    teacher = Staff(school_id=school.id, last_name="Смирнова", first_name="Ольга")
    subject = Subject(school_id=school.id, name="Математика", short_name="Матем.")
    work_type = WorkType(school_id=school.id, code="answer", name="Ответ на уроке", weight=1)
    session.add_all([year, teacher, subject, work_type])
    await session.flush()
    first = ClassGroup(school_id=school.id, academic_year_id=year.id, grade=1, letter="А",
                       name="1А")
    fifth = ClassGroup(school_id=school.id, academic_year_id=year.id, grade=5, letter="А",
                       name="5А")
    session.add_all([first, fifth])
    await session.flush()
    s1 = Student(school_id=school.id, class_id=first.id, last_name="Ким", first_name="Оля")
    s5 = Student(school_id=school.id, class_id=fifth.id, last_name="Ким", first_name="Миша")
    session.add_all([s1, s5])
    await session.flush()
    return MiniSchool(school, s1, s5, subject, work_type, teacher)


async def add_mark_for_active_child(sessionmaker: Any, telegram_id: int) -> None:
    """A new 5 in Математика today for the demo parent's active child: one push queued."""
    from sqlalchemy import text

    from services import journal
    from tests.conftest import DEMO_TODAY

    async with sessionmaker.begin() as s:
        row = (await s.execute(text(
            "SELECT a.active_student_id AS student, sub.id AS subject, w.id AS work_type "
            "FROM accounts a, subjects sub, work_types w, schools sc "
            "WHERE a.telegram_id = :t AND sc.external_id = 'demo-school' "
            "AND sub.school_id = sc.id AND sub.name = 'Математика' "
            "AND w.school_id = sc.id AND w.code = 'test'"), {"t": telegram_id})).one()
        await journal.add_mark(s, student_id=row.student, subject_id=row.subject,
                               work_type_id=row.work_type, date=DEMO_TODAY, value=5)
