"""How families use the diary: consents per class (003 §2.8) and the month's user
activity (002 §9). Neither reads marks or attendance, so a clerk may have them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.base import (
    CLASSES_CTE,
    Chart,
    Column,
    Kind,
    Report,
    Scope,
    Sheet,
    rows,
    scope_params,
)
from services.reports.extracts import PAPER_CONDITION

# Per class: students; guardian links that are live and consented, live and waiting for
# the answer; consents refused or withdrawn (each chat's latest decision per child); and
# the students whose families get paper extracts.
CONSENTS = "WITH" + CLASSES_CTE + f""",
links AS (
    SELECT st.class_id,
           count(*) FILTER (WHERE NOT al.consent_pending) AS consented,
           count(*) FILTER (WHERE al.consent_pending) AS waiting,
           count(DISTINCT st.id) FILTER (WHERE NOT al.consent_pending) AS students_linked
    FROM account_links al
    JOIN students st ON st.id = al.student_id AND st.status = 'active'
    WHERE al.kind = 'guardian' AND al.revoked_at IS NULL
    GROUP BY st.class_id
),
latest AS (
    SELECT DISTINCT ON (co.account_id, co.student_id) co.student_id, co.decision
    FROM consents co
    ORDER BY co.account_id, co.student_id, co.decided_at DESC, co.id DESC
),
refusals AS (
    SELECT st.class_id, count(*) AS refused
    FROM latest JOIN students st ON st.id = latest.student_id AND st.status = 'active'
    WHERE latest.decision IN ('refused', 'withdrawn')
    GROUP BY st.class_id
)
SELECT cls.name,
       (SELECT count(*) FROM students st
        WHERE st.class_id = cls.id AND st.status = 'active') AS students,
       coalesce(links.students_linked, 0), coalesce(links.consented, 0),
       coalesce(refusals.refused, 0), coalesce(links.waiting, 0),
       (SELECT count(*) FROM students st
        WHERE st.class_id = cls.id AND st.status = 'active' AND {PAPER_CONDITION}) AS paper
FROM cls
LEFT JOIN links ON links.class_id = cls.id
LEFT JOIN refusals ON refusals.class_id = cls.id
ORDER BY cls.grade, cls.name
"""

# Per class over a month: chats with live access (guardians after consent, students),
# those seen in the month, and pushes delivered. The bot keeps each chat's last-seen time,
# so "active" is "last seen within the month"; a month in the past undercounts chats seen
# again since.
ACTIVITY = "WITH" + CLASSES_CTE + """,
tz AS (SELECT timezone FROM schools WHERE id = :school_id),
chats AS (
    SELECT st.class_id, al.kind, a.id AS account_id,
           (a.last_seen_at AT TIME ZONE (SELECT timezone FROM tz))::date
               BETWEEN :d0 AND :d1 AS active
    FROM account_links al
    JOIN accounts a ON a.id = al.account_id
    JOIN students st ON st.id = al.student_id AND st.status = 'active'
    WHERE al.revoked_at IS NULL AND NOT al.consent_pending AND al.kind <> 'staff'
),
pushes AS (
    SELECT st.class_id, count(*) AS sent
    FROM notifications n JOIN students st ON st.id = n.student_id
    WHERE n.status = 'sent'
      AND (n.sent_at AT TIME ZONE (SELECT timezone FROM tz))::date BETWEEN :d0 AND :d1
    GROUP BY st.class_id
)
SELECT cls.name,
       count(DISTINCT chats.account_id) FILTER (WHERE chats.kind = 'guardian'),
       count(DISTINCT chats.account_id) FILTER (WHERE chats.kind = 'guardian' AND active),
       count(DISTINCT chats.account_id) FILTER (WHERE chats.kind = 'student'),
       count(DISTINCT chats.account_id) FILTER (WHERE chats.kind = 'student' AND active),
       coalesce(max(pushes.sent), 0)
FROM cls
LEFT JOIN chats ON chats.class_id = cls.id
LEFT JOIN pushes ON pushes.class_id = cls.id
GROUP BY cls.id, cls.grade, cls.name
ORDER BY cls.grade, cls.name
"""


async def consents_report(session: AsyncSession, scope: Scope) -> Report:
    found = await rows(session, CONSENTS, **scope_params(scope))
    columns = (Column("class"), Column("students", Kind.INT),
               Column("students-linked", Kind.INT), Column("consented", Kind.INT),
               Column("refused", Kind.INT), Column("waiting", Kind.INT),
               Column("paper", Kind.INT))
    return Report("consents", scope.school_name, scope.class_name, None, scope.today,
                  (Sheet("consents", columns, found, Chart("consents", (2, 6))),))


def month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The month containing `day`, up to that day."""
    return day.replace(day=1), day


async def activity_report(session: AsyncSession, scope: Scope) -> Report:
    """The scope's days, by default the month up to today."""
    d0, d1 = month_of(scope.today)
    d0, d1 = scope.date_from or d0, scope.date_to or d1
    found = await rows(session, ACTIVITY, d0=d0, d1=d1, **scope_params(scope))
    columns = (Column("class"), Column("guardians", Kind.INT),
               Column("guardians-active", Kind.INT), Column("students-chats", Kind.INT),
               Column("students-active", Kind.INT), Column("pushes-sent", Kind.INT))
    return Report("activity", scope.school_name, scope.class_name, None, scope.today,
                  (Sheet("activity", columns, found, Chart("activity", (2, 4))),),
                  date_from=d0, date_to=d1)
