"""A small school as the journal sends it, for the exchange tests (dates around the frozen
test day, Monday 23 November 2026)."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.exchange import apply_batch, tokens
from services.models import Account, AccountLink, Consent, ConsentDecision, LinkKind

BASE: dict[str, Any] = {
    "periods": [
        {"external_id": "q2", "kind": "quarter", "name": "2 четверть",
         "starts_on": "2026-11-05", "ends_on": "2026-12-28"},
        {"external_id": "y", "kind": "year", "name": "Год", "starts_on": "2026-09-01",
         "ends_on": "2027-05-31"},
    ],
    "subjects": [{"external_id": "math", "name": "Математика"},
                 {"external_id": "rus", "name": "Русский язык"}],
    "work_types": [{"external_id": "answer", "name": "Ответ на уроке", "weight": 1},
                   {"external_id": "test", "name": "Контрольная", "weight": 3}],
    "staff": [
        {"external_id": "t1", "last_name": "Смирнова", "first_name": "Ольга",
         "middle_name": "Петровна", "roles": ["subject_teacher", "class_teacher"]},
        {"external_id": "t2", "last_name": "Орлов", "first_name": "Пётр", "middle_name": None,
         "roles": ["subject_teacher"]},
    ],
    "classes": [{"external_id": "5a", "name": "5А", "grade": 5, "class_teacher": "t1"},
                {"external_id": "5b", "name": "5Б", "grade": 5},
                {"external_id": "1a", "name": "1А", "grade": 1}],
    "students": [
        {"external_id": "s1", "last_name": "Ким", "first_name": "Миша", "middle_name": None,
         "class": "5a", "status": "active"},
        {"external_id": "s2", "last_name": "Ли", "first_name": "Аня", "middle_name": "Олеговна",
         "class": "5a", "status": "active"},
        {"external_id": "s3", "last_name": "Ким", "first_name": "Оля", "middle_name": None,
         "class": "1a", "status": "active"},
    ],
    "subgroups": [{"external_id": "g1", "class": "5a", "subject": "rus", "name": "1 группа",
                   "students": ["s1"]}],
    "guardians": [{"external_id": "p1", "last_name": "Ким", "first_name": "Анна",
                   "middle_name": None, "students": [{"student": "s1", "relation": "mother"},
                                                     {"student": "s3", "relation": "mother"}]}],
    "lessons": [
        {"external_id": "l1", "class": "5a", "subject": "math", "teacher": "t1",
         "date": "2026-11-23", "slot": 1, "topic": "Дроби"},
        {"external_id": "l2", "class": "5a", "subject": "math", "teacher": "t1",
         "date": "2026-11-24", "slot": 2},
        {"external_id": "l0", "class": "5a", "subject": "math", "teacher": "t1",
         "date": "2026-10-01", "slot": 1},
    ],
    "homework": [{"external_id": "h1", "class": "5a", "subject": "math",
                  "text": "№ 101–105", "due_on": "2026-11-25", "lesson": "l1"}],
    "marks": [
        {"external_id": "m1", "student": "s1", "lesson": "l1", "work_type": "answer",
         "value": 5},
        {"external_id": "m0", "student": "s1", "lesson": "l0", "work_type": "test",
         "value": 3},
    ],
    "attendance": [{"external_id": "a1", "student": "s2", "lesson": "l1", "kind": "absent"}],
    "final_marks": [{"external_id": "f1", "student": "s2", "subject": "math", "period": "q2",
                     "value": 4}],
}


def batch(**changes: Any) -> dict[str, Any]:
    """The base batch with some sections replaced."""
    result = copy.deepcopy(BASE)
    result.update(copy.deepcopy(changes))
    return result


async def school(session: AsyncSession, ext: str = "sch-1") -> int:
    school_id, _ = await tokens.add_school(session, external_id=ext, name="Школа № 1",
                                           timezone="Europe/Moscow")
    return school_id


async def link_guardian(session: AsyncSession, school_id: int, student_id: int,
                        telegram_id: int) -> int:
    """A chat linked to a student with consent given (and on record, for the current text):
    it hears every push about them."""
    account = Account(telegram_id=telegram_id, chat_id=telegram_id, locale="ru")
    session.add(account)
    await session.flush()
    session.add(AccountLink(account_id=account.id, kind=LinkKind.GUARDIAN, school_id=school_id,
                            student_id=student_id))
    session.add(Consent(account_id=account.id, student_id=student_id,
                        decision=ConsentDecision.GIVEN, text_version=1))
    await session.flush()
    return account.id


async def apply_base(session: AsyncSession, school_id: int) -> None:
    await apply_batch(session, school_id, batch(initial_load=True))
