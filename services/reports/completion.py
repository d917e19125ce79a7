"""Journal completion (002 §9, 003 §2.13): mark accumulation, lessons without a topic or
homework, marks and absences entered late (002 §5.2), and period marks still missing.

Each sheet is one aggregate query over each class's reporting period (the one asked for,
else the latest ended one); lessons and entries count up to today.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.base import (
    CLASS_PERIOD_CTE,
    Column,
    Kind,
    Report,
    Scope,
    Sheet,
    period_label,
    rows,
    scope_params,
)

LATE_AFTER_DAYS = 5  # 002 §5.2: current marks and absences within 5 days of the lesson

# Who takes which subject in a class: the whole class, or the members of the subgroup the
# assignment is for. One row per (class, subject, student, teacher).
ENROLMENT_CTE = CLASS_PERIOD_CTE + """,
enrol AS (
    SELECT ta.class_id, ta.subject_id, st.id AS student_id, ta.staff_id
    FROM teaching_assignments ta
    JOIN cls ON cls.id = ta.class_id AND cls.grade > 1
    JOIN students st ON st.class_id = ta.class_id AND st.status = 'active'
    JOIN subjects sj ON sj.id = ta.subject_id
    WHERE ta.subgroup_id IS NULL OR EXISTS (
        SELECT 1 FROM subgroup_members sm
        WHERE sm.subgroup_id = ta.subgroup_id AND sm.student_id = st.id)
)"""

ACCUMULATION = "WITH" + ENROLMENT_CTE + """
SELECT cls.name, concat_ws(' ', st.last_name, st.first_name), sj.name, cp.period_name,
       count(m.id) AS marks,
       round(avg(m.value), 2) AS average
FROM (SELECT DISTINCT class_id, subject_id, student_id FROM enrol) e
JOIN cls ON cls.id = e.class_id
JOIN cp ON cp.class_id = e.class_id
JOIN students st ON st.id = e.student_id
JOIN subjects sj ON sj.id = e.subject_id
LEFT JOIN marks m ON m.student_id = e.student_id AND m.subject_id = e.subject_id
     AND m.deleted_at IS NULL AND m.date BETWEEN cp.starts_on AND LEAST(cp.ends_on, :today)
GROUP BY cls.grade, cls.name, st.id, st.last_name, st.first_name, sj.name, cp.period_name
ORDER BY cls.grade, cls.name, st.last_name, st.first_name, sj.name
"""

# Homework counts for a lesson when it names the lesson, or (sent without one) was set in
# that class and subject on the lesson's day.
UNFILLED = "WITH" + CLASS_PERIOD_CTE + """
SELECT cls.name, sj.name,
       concat_ws(' ', t.last_name, t.first_name, t.middle_name) AS teacher,
       count(*) AS held,
       count(*) FILTER (WHERE nullif(btrim(l.topic), '') IS NULL) AS without_topic,
       count(*) FILTER (WHERE NOT EXISTS (
           SELECT 1 FROM homework h
           WHERE h.lesson_id = l.id
              OR (h.lesson_id IS NULL AND h.class_id = l.class_id
                  AND h.subject_id = l.subject_id AND h.assigned_on = l.date)))
           AS without_homework
FROM lessons l
JOIN cls ON cls.id = l.class_id
JOIN cp ON cp.class_id = l.class_id
JOIN subjects sj ON sj.id = l.subject_id
JOIN staff t ON t.id = coalesce(l.substitute_id, l.teacher_id)
WHERE l.status IN ('held', 'replaced')
  AND l.date BETWEEN cp.starts_on AND LEAST(cp.ends_on, :today)
GROUP BY cls.grade, cls.name, sj.name, t.id, t.last_name, t.first_name, t.middle_name
ORDER BY cls.grade, cls.name, sj.name, teacher
"""

# An entry is late when it was made (school-local date) more than 5 days after the lesson.
LATE = "WITH" + CLASS_PERIOD_CTE + """,
tz AS (SELECT timezone FROM schools WHERE id = :school_id),
entries AS (
    SELECT coalesce(m.entered_by_id, l.substitute_id, l.teacher_id) AS staff_id,
           'mark' AS what, m.date,
           (m.entered_at AT TIME ZONE (SELECT timezone FROM tz))::date AS entered_on
    FROM marks m
    JOIN students st ON st.id = m.student_id
    JOIN cp ON cp.class_id = st.class_id
    LEFT JOIN lessons l ON l.id = m.lesson_id
    WHERE m.deleted_at IS NULL AND m.date BETWEEN cp.starts_on AND LEAST(cp.ends_on, :today)
    UNION ALL
    SELECT coalesce(a.entered_by_id, l.substitute_id, l.teacher_id), 'absence', a.date,
           (a.entered_at AT TIME ZONE (SELECT timezone FROM tz))::date
    FROM attendance a
    JOIN lessons l ON l.id = a.lesson_id
    JOIN cp ON cp.class_id = l.class_id
    WHERE a.date BETWEEN cp.starts_on AND LEAST(cp.ends_on, :today)
)
SELECT concat_ws(' ', t.last_name, t.first_name, t.middle_name) AS teacher,
       count(*) FILTER (WHERE what = 'mark') AS marks,
       count(*) FILTER (WHERE what = 'mark' AND entered_on - date > :late_days) AS marks_late,
       count(*) FILTER (WHERE what = 'absence') AS absences,
       count(*) FILTER (WHERE what = 'absence' AND entered_on - date > :late_days)
           AS absences_late
FROM entries
JOIN staff t ON t.id = entries.staff_id
GROUP BY t.id, t.last_name, t.first_name, t.middle_name
ORDER BY teacher
"""

# Period marks are due the day before the period ends (002 §5.2): the report's period,
# and also the running one from its due day on (unless a period was asked for).
MISSING_PERIOD_MARKS = "WITH" + ENROLMENT_CTE + """,
due AS (
    SELECT class_id, period_id, period_name, ends_on FROM cp
    UNION
    SELECT cls.id, p.id, p.name, p.ends_on
    FROM cls JOIN periods p ON p.school_id = :school_id
         AND p.kind IN ('quarter', 'half_year')
         AND cls.grade BETWEEN p.grade_min AND p.grade_max
    WHERE CAST(:period_id AS integer) IS NULL AND :today BETWEEN p.ends_on - 1 AND p.ends_on
)
SELECT cls.name, sj.name,
       concat_ws(' ', t.last_name, t.first_name, t.middle_name) AS teacher,
       due.period_name, due.ends_on - 1 AS due_on,
       count(*) AS students,
       count(*) FILTER (WHERE f.id IS NULL) AS missing
FROM enrol e
JOIN cls ON cls.id = e.class_id
JOIN due ON due.class_id = e.class_id
JOIN subjects sj ON sj.id = e.subject_id
JOIN staff t ON t.id = e.staff_id
LEFT JOIN final_marks f ON f.student_id = e.student_id AND f.subject_id = e.subject_id
     AND f.period_id = due.period_id AND f.kind = 'period'
GROUP BY cls.grade, cls.name, sj.name, t.id, t.last_name, t.first_name, t.middle_name,
         due.period_name, due.ends_on
ORDER BY cls.grade, cls.name, due.ends_on, sj.name, teacher
"""


async def completion_report(session: AsyncSession, scope: Scope) -> Report:
    params = scope_params(scope)
    accumulation = await rows(session, ACCUMULATION, **params)
    unfilled = await rows(session, UNFILLED, **params)
    late = await rows(session, LATE, late_days=LATE_AFTER_DAYS, **params)
    missing = await rows(session, MISSING_PERIOD_MARKS, **params)
    return Report(
        "completion", scope.school_name, scope.class_name, period_label(accumulation, 3),
        scope.today,
        (Sheet("accumulation", (Column("class"), Column("student"), Column("subject"),
                                Column("period"), Column("marks", Kind.INT),
                                Column("average", Kind.AVERAGE)), accumulation),
         Sheet("unfilled", (Column("class"), Column("subject"), Column("teacher"),
                            Column("held", Kind.INT), Column("without-topic", Kind.INT),
                            Column("without-homework", Kind.INT)), unfilled),
         Sheet("late", (Column("teacher"), Column("marks", Kind.INT),
                        Column("marks-late", Kind.INT), Column("absences", Kind.INT),
                        Column("absences-late", Kind.INT)), late),
         Sheet("missing", (Column("class"), Column("subject"), Column("teacher"),
                           Column("period"), Column("due-on", Kind.DATE),
                           Column("students", Kind.INT), Column("missing", Kind.INT)),
               missing)))
