"""Progress and quality of learning (002 §9): from the period marks of each class's period.

Progress rate (успеваемость): the share of students with no period mark below 3; quality
rate (качество знаний): the share with only 4s and 5s; and the average period mark. Per
class and subject, and per class over all its subjects. Pass/fail subjects and postponed
marks carry no value and are left out.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.base import (
    CLASS_PERIOD_CTE,
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

_MARKS = CLASS_PERIOD_CTE + """,
fm AS (
    SELECT st.class_id, cp.period_name, f.student_id, f.subject_id, f.value
    FROM final_marks f
    JOIN students st ON st.id = f.student_id AND st.status = 'active'
    JOIN cp ON cp.class_id = st.class_id AND cp.period_id = f.period_id
    WHERE f.kind = 'period' AND f.value IS NOT NULL
)"""

BY_SUBJECT = "WITH" + _MARKS + """
SELECT cls.name, sj.name, fm.period_name,
       count(*) AS students,
       round(count(*) FILTER (WHERE fm.value >= 3)::numeric / count(*), 4) AS progress,
       round(count(*) FILTER (WHERE fm.value >= 4)::numeric / count(*), 4) AS quality,
       round(avg(fm.value), 2) AS average
FROM fm
JOIN cls ON cls.id = fm.class_id
JOIN subjects sj ON sj.id = fm.subject_id
GROUP BY cls.grade, cls.name, sj.name, fm.period_name
ORDER BY cls.grade, cls.name, sj.name
"""

BY_CLASS = "WITH" + _MARKS + """,
per_student AS (
    SELECT class_id, student_id, min(value) AS lowest, sum(value) AS total, count(*) AS n
    FROM fm GROUP BY class_id, student_id
)
SELECT cls.name, max(cp.period_name),
       (SELECT count(*) FROM students st
        WHERE st.class_id = cls.id AND st.status = 'active') AS enrolled,
       count(ps.student_id) AS graded,
       round(count(*) FILTER (WHERE ps.lowest >= 3)::numeric
             / NULLIF(count(ps.student_id), 0), 4) AS progress,
       round(count(*) FILTER (WHERE ps.lowest >= 4)::numeric
             / NULLIF(count(ps.student_id), 0), 4) AS quality,
       round(sum(ps.total)::numeric / NULLIF(sum(ps.n), 0), 2) AS average
FROM cls
JOIN cp ON cp.class_id = cls.id
LEFT JOIN per_student ps ON ps.class_id = cls.id
WHERE cls.grade > 1
GROUP BY cls.id, cls.grade, cls.name
ORDER BY cls.grade, cls.name
"""

SUBJECT_COLUMNS = (Column("class"), Column("subject"), Column("period"),
                   Column("students", Kind.INT), Column("progress", Kind.SHARE),
                   Column("quality", Kind.SHARE), Column("average", Kind.AVERAGE))
CLASS_COLUMNS = (Column("class"), Column("period"), Column("enrolled", Kind.INT),
                 Column("graded", Kind.INT), Column("progress", Kind.SHARE),
                 Column("quality", Kind.SHARE), Column("average", Kind.AVERAGE))


async def progress_report(session: AsyncSession, scope: Scope) -> Report:
    params = scope_params(scope)
    by_class = await rows(session, BY_CLASS, **params)
    by_subject = await rows(session, BY_SUBJECT, **params)
    return Report(
        "progress", scope.school_name, scope.class_name, period_label(by_class, 1),
        scope.today,
        (Sheet("classes", CLASS_COLUMNS, by_class, Chart("progress", (4, 5))),
         Sheet("subjects", SUBJECT_COLUMNS, by_subject, Chart("progress", (4, 5), (0, 1)))))
