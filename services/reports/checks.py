"""The checks of 001 §5: lessons held against the curriculum's hours, and the students
still missing a period or year mark (postponed marks included)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.base import (
    CLASSES_CTE,
    Chart,
    Column,
    Kind,
    Report,
    Scope,
    Sheet,
    period_label,
    rows,
    scope_params,
)
from services.reports.completion import ENROLMENT_CTE

# Subgroups of a split subject have lessons of their own at the same time: a class's
# lesson is one (date, slot).
CURRICULUM = "WITH" + CLASSES_CTE + """
SELECT cls.name, sj.name, cu.hours_per_year AS planned,
       count(DISTINCT (l.date, l.slot)) FILTER (
           WHERE l.date <= :today AND l.status <> 'moved') AS scheduled_to_date,
       count(DISTINCT (l.date, l.slot)) FILTER (
           WHERE l.date <= :today AND l.status IN ('held', 'replaced')) AS held,
       count(DISTINCT (l.date, l.slot)) FILTER (
           WHERE l.status = 'cancelled') AS cancelled,
       round(count(DISTINCT (l.date, l.slot)) FILTER (
           WHERE l.date <= :today AND l.status IN ('held', 'replaced'))::numeric
           / NULLIF(cu.hours_per_year, 0), 4) AS done,
       cu.hours_per_year - count(DISTINCT (l.date, l.slot)) FILTER (
           WHERE l.date <= :today AND l.status IN ('held', 'replaced')) AS remaining
FROM curriculum cu
JOIN cls ON cls.id = cu.class_id
JOIN subjects sj ON sj.id = cu.subject_id
LEFT JOIN lessons l ON l.class_id = cu.class_id AND l.subject_id = cu.subject_id
GROUP BY cls.grade, cls.name, sj.name, cu.hours_per_year
ORDER BY cls.grade, cls.name, sj.name
"""

# Every ended reporting period of the class's grade (or the one asked for) and the year
# once it has ended; a student taking the subject with no mark, or a postponed one.
FINALS = "WITH" + ENROLMENT_CTE + """,
due AS (
    SELECT cls.id AS class_id, p.id AS period_id, p.name AS period_name, p.ends_on,
           CASE WHEN p.kind = 'year' THEN 'year' ELSE 'period' END AS mark_kind
    FROM cls
    JOIN periods p ON p.school_id = :school_id
         AND cls.grade BETWEEN p.grade_min AND p.grade_max
         AND p.kind IN ('quarter', 'half_year', 'year')
    WHERE cls.grade > 1 AND CASE WHEN CAST(:period_id AS integer) IS NULL
                                 THEN p.ends_on < :today ELSE p.id = :period_id END
)
SELECT cls.name, concat_ws(' ', st.last_name, st.first_name), sj.name, due.period_name,
       CASE WHEN f.postponed THEN 'postponed' ELSE 'missing' END AS state
FROM (SELECT DISTINCT class_id, subject_id, student_id FROM enrol) e
JOIN due ON due.class_id = e.class_id
JOIN cls ON cls.id = e.class_id
JOIN students st ON st.id = e.student_id
JOIN subjects sj ON sj.id = e.subject_id
LEFT JOIN final_marks f ON f.student_id = e.student_id AND f.subject_id = e.subject_id
     AND f.period_id = due.period_id AND f.kind = due.mark_kind::finalmarkkind
WHERE f.id IS NULL OR f.postponed
ORDER BY cls.grade, cls.name, st.last_name, st.first_name, due.ends_on, sj.name
"""


async def curriculum_report(session: AsyncSession, scope: Scope) -> Report:
    found = await rows(session, CURRICULUM, **scope_params(scope))
    columns = (Column("class"), Column("subject"), Column("planned", Kind.INT),
               Column("scheduled-to-date", Kind.INT), Column("held", Kind.INT),
               Column("cancelled", Kind.INT), Column("done", Kind.SHARE),
               Column("remaining", Kind.INT))
    return Report("curriculum", scope.school_name, scope.class_name, None, scope.today,
                  (Sheet("curriculum", columns, found, Chart("curriculum", (2, 4), (0, 1))),))


async def finals_report(session: AsyncSession, scope: Scope) -> Report:
    found = await rows(session, FINALS, **scope_params(scope))
    columns = (Column("class"), Column("student"), Column("subject"), Column("period"),
               Column("state", Kind.MARK))
    return Report("finals", scope.school_name, scope.class_name, period_label(found, 3),
                  scope.today, (Sheet("finals", columns, found),))
