"""The ready-made Telegram accounts of the demo: a guardian of two children, a student and
four staff, with their links and consents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from services.demo_seed.people import _Family
from services.demo_seed.school import DAY, _School
from services.demo_seed.writer import _Writer
from services.models import Account, AccountLink, Consent, ConsentDecision, LinkKind


@dataclass(frozen=True)
class DemoAccount:
    label: str
    telegram_id: int
    kind: str  # LinkKind value of the account's links: guardian, student or staff


DEMO_ACCOUNTS: list[DemoAccount] = [
    DemoAccount("Родитель (Петрова Анна: Миша 5А, Оля 1А)", 1001, "guardian"),
    DemoAccount("Ученик 5А (Ковалёв Артём)", 1002, "student"),
    DemoAccount("Классный руководитель 5А (Орлова Марина Геннадьевна)", 2001, "staff"),
    DemoAccount("Учитель математики 5А, 7Б (Григорьев Павел Сергеевич)", 2002, "staff"),
    DemoAccount("Администратор и завуч (Кузнецов Андрей Петрович)", 2003, "staff"),
    DemoAccount("Проверяющий (Фёдоров Сергей Михайлович)", 2004, "staff"),
]
_STAFF_ACCOUNTS = {2001: "rus", 2002: "math", 2003: "admin", 2004: "inspector"}


async def _add_accounts(w: _Writer, school: _School, families: Sequence[_Family],
                        today: dt.date) -> None:
    """The demo identities: a guardian of two children, a student and four staff."""
    since = school.at(today - 30 * DAY, dt.time(12, 0))
    mother = families[0].parents[0]
    children = families[0].kids
    student = families[1].kids[0]
    account_ids = dict(zip([a.telegram_id for a in DEMO_ACCOUNTS], await w.ids(Account, [{
        "telegram_id": a.telegram_id, "chat_id": a.telegram_id, "locale": "ru",
        "active_student_id": {1001: children[0].id, 1002: student.id}.get(a.telegram_id),
        "created_at": since, "last_seen_at": since} for a in DEMO_ACCOUNTS]), strict=True))

    def link(telegram_id: int, kind: LinkKind, student_id: int | None = None,
             guardian_id: int | None = None, staff_id: int | None = None) -> dict[str, Any]:
        return {"account_id": account_ids[telegram_id], "kind": kind, "school_id": school.id,
                "student_id": student_id, "guardian_id": guardian_id, "staff_id": staff_id,
                "consent_pending": False, "linked_at": since}

    await w.rows(AccountLink, [
        *(link(1001, LinkKind.GUARDIAN, kid.id, mother.id) for kid in children),
        link(1002, LinkKind.STUDENT, student.id),
        *(link(tg, LinkKind.STAFF, staff_id=school.staff[key])
          for tg, key in _STAFF_ACCOUNTS.items()),
    ])
    await w.rows(Consent, [*({
        "account_id": account_ids[1001], "student_id": kid.id, "guardian_id": mother.id,
        "decision": ConsentDecision.GIVEN, "text_version": 1, "decided_at": since,
        "source": "bot", "signed_on": None, "form_number": None, "recorded_by_id": None}
        for kid in children),
        # The student's own chat shows data because a parent consented on a paper form.
        {"account_id": None, "student_id": student.id,
         "guardian_id": families[1].parents[0].id, "decision": ConsentDecision.GIVEN,
         "text_version": 1, "decided_at": since, "source": "paper",
         "signed_on": today - 31 * DAY, "form_number": "1",
         "recorded_by_id": school.staff["rus"]}])
