"""Term sheets (ведомости, 003 §2.14-2.15): the period marks of one class, a row per
student and a column per subject, for the period asked for (else the latest ended one).
The year's marks follow on a second sheet once there are any."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.base import (
    CLASS_PERIOD_CTE,
    Column,
    Kind,
    Report,
    Scope,
    Sheet,
    rows,
    scope_params,
)

# Subjects of the class's curriculum, in the school's order (by name).
_SUBJECTS = "WITH" + CLASS_PERIOD_CTE + """
SELECT sj.id, sj.name FROM curriculum cu
JOIN cls ON cls.id = cu.class_id
JOIN subjects sj ON sj.id = cu.subject_id
ORDER BY sj.name
"""

# One row per student: the marks as {subject id: "5" | "pass" | "fail" | "postponed"}.
_MARKS = "WITH" + CLASS_PERIOD_CTE + """,
wanted AS (
    SELECT cp.class_id, CASE WHEN :year THEN y.id ELSE cp.period_id END AS period_id,
           CASE WHEN :year THEN 'year' ELSE 'period' END AS kind,
           CASE WHEN :year THEN y.name ELSE cp.period_name END AS period_name
    FROM cp LEFT JOIN periods y ON y.school_id = :school_id AND y.kind = 'year'
         AND y.starts_on <= cp.starts_on AND y.ends_on >= cp.ends_on
)
SELECT st.id, concat_ws(' ', st.last_name, st.first_name, st.middle_name), w.period_name,
       coalesce(jsonb_object_agg(f.subject_id::text,
           CASE WHEN f.postponed THEN 'postponed' WHEN f.value IS NOT NULL
                THEN f.value::text WHEN f.passed THEN 'pass' ELSE 'fail' END)
           FILTER (WHERE f.id IS NOT NULL), '{}'::jsonb) AS marks
FROM students st
JOIN wanted w ON w.class_id = st.class_id
LEFT JOIN final_marks f ON f.student_id = st.id AND f.period_id = w.period_id
     AND f.kind = w.kind::finalmarkkind
WHERE st.status = 'active'
GROUP BY st.id, st.last_name, st.first_name, st.middle_name, w.period_name
ORDER BY st.last_name, st.first_name, st.id
"""


def _cell(value: str | None) -> int | str | None:
    return int(value) if value is not None and value.isdigit() else value


async def term_sheet_report(session: AsyncSession, scope: Scope) -> Report:
    params = scope_params(scope)
    subjects = await rows(session, _SUBJECTS, **params)
    columns = (Column("number", Kind.INT), Column("student"),
               *(Column("subject", Kind.MARK, label=name) for _, name in subjects))
    sheets = []
    period = None
    for key, year in (("term", False), ("year", True)):
        found = await rows(session, _MARKS, year=year, **params)
        if year and not any(r[3] for r in found):
            continue
        period = period or next((r[2] for r in found if r[2]), None)
        table = tuple((n, name, *(_cell(marks.get(str(sid))) for sid, _ in subjects))
                      for n, (_, name, _, marks) in enumerate(found, start=1))
        sheets.append(Sheet(key, columns, table))
    return Report("term-sheet", scope.school_name, scope.class_name, period, scope.today,
                  tuple(sheets))
