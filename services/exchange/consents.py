"""What the journal needs to know of consent (152-FZ): per student, each guardian's last
decision, and whether paper extracts are due (000 §4.5: for families without electronic
access, at least every two weeks)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def consent_report(session: AsyncSession, school_id: int) -> list[dict[str, Any]]:
    """Active students of the school with an external id, in external id order.

    Paper is due when a guardian of the student prefers paper (refused or withdrew), or
    when no chat of the family may see the student's data (no live guardian link with
    consent given)."""
    params = {"s": school_id}
    students = (await session.execute(text(
        "SELECT s.id, s.external_id, EXISTS (SELECT 1 FROM account_links l JOIN accounts a "
        "ON a.id = l.account_id WHERE l.student_id = s.id AND l.kind = 'guardian' AND "
        "l.revoked_at IS NULL AND NOT l.consent_pending AND a.is_active) AS online "
        "FROM students s WHERE s.school_id = :s AND s.status = 'active' AND "
        "s.external_id IS NOT NULL ORDER BY s.external_id"), params)).all()
    guardians = (await session.execute(text(
        "SELECT gs.student_id, g.id, g.external_id, g.prefers_paper, CAST(gs.relation AS text) "
        "AS relation, c.decision, c.decided_at FROM guardian_students gs "
        "JOIN guardians g ON g.id = gs.guardian_id JOIN students s ON s.id = gs.student_id "
        "LEFT JOIN LATERAL (SELECT CAST(decision AS text) AS decision, decided_at "
        "FROM consents WHERE guardian_id = g.id AND student_id = gs.student_id "
        "ORDER BY decided_at DESC, id DESC LIMIT 1) c ON true "
        "WHERE s.school_id = :s ORDER BY g.external_id NULLS LAST, g.id"), params)).all()
    by_student: dict[int, list[Any]] = defaultdict(list)
    for g in guardians:
        by_student[g.student_id].append(g)
    report = []
    for s in students:
        items = [{"guardian": g.external_id, "relation": g.relation, "decision": g.decision,
                  "decided_at": g.decided_at.isoformat() if g.decided_at else None,
                  "prefers_paper": g.prefers_paper} for g in by_student.get(s.id, [])]
        report.append({"student": s.external_id, "guardians": items,
                       "paper_due": (not s.online) or any(i["prefers_paper"] for i in items)})
    return report
