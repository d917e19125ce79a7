"""Applying the journal's records: lessons, homework, marks, attendance and final marks,
each with the pushes its changes call for (payloads as screens/pushes.py reads them, keys
shaped like services/journal.py's so one event is never queued twice)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from services import clock, deadlines
from services import push_events as ev
from services.attendance_register import absence_push
from services.exchange import sql
from services.exchange.context import Apply
from services.notifications import Push

NOTABLE = ("replaced", "moved", "cancelled")


async def _names(ctx: Apply, table: str, ids: set[int], column: str = "name") -> dict[int, Any]:
    if not ids:
        return {}
    rows = await sql.execute(ctx.session, f"SELECT id, {column} AS v FROM {table} "
                             "WHERE id = ANY(CAST(:ids AS integer[]))", ids=sorted(ids))
    return {r.id: r.v for r in rows}


async def _audience(ctx: Apply, rows: list[tuple[int, int | None, int | None]],
                    ) -> dict[tuple[int, int | None, int | None], list[int]]:
    """Active students of each (class, subgroup, student): the whole class, the subgroup's
    members, or the one student of individual homework."""
    classes = sorted({c for c, g, s in rows if g is None and s is None})
    groups = sorted({g for _, g, s in rows if g is not None and s is None})
    by_class: dict[int, list[int]] = {}
    by_group: dict[int, list[int]] = {}
    if classes:
        for r in await sql.execute(ctx.session, "SELECT id, class_id FROM students WHERE "
                                   "class_id = ANY(CAST(:c AS integer[])) AND status = 'active' "
                                   "ORDER BY id", c=classes):
            by_class.setdefault(r.class_id, []).append(r.id)
    if groups:
        for r in await sql.execute(
                ctx.session, "SELECT m.subgroup_id, s.id FROM subgroup_members m JOIN students s "
                "ON s.id = m.student_id WHERE m.subgroup_id = ANY(CAST(:g AS integer[])) "
                "AND s.status = 'active' ORDER BY s.id", g=groups):
            by_group.setdefault(r.subgroup_id, []).append(r.id)
    return {(c, g, s): [s] if s is not None else by_group.get(g, []) if g is not None
            else by_class.get(c, []) for c, g, s in rows}


async def _delete(ctx: Apply, section: str, records: list[dict[str, Any]],
                  sql_text: str) -> list[dict[str, Any]]:
    """Delete the records marked deleted; a record already gone reads unchanged."""
    gone = [r["external_id"] for r in records if r["deleted"]]
    if gone:
        result = await sql.execute(ctx.session, sql_text, s=ctx.school_id, e=gone)
        deleted = len(result.all())
        counts = ctx.counts(section)
        counts.deleted += deleted
        counts.unchanged += len(gone) - deleted
    return [r for r in records if not r["deleted"]]


def _delete_sql(table: str) -> str:
    return (f"DELETE FROM {table} WHERE school_id = :s AND "
            "external_id = ANY(CAST(:e AS text[])) RETURNING id")


async def lessons(ctx: Apply, records: list[dict[str, Any]]) -> None:
    records = await _delete(ctx, "lessons", records, _delete_sql("lessons"))
    klass = await ctx.resolve("classes", (r["class"] for r in records))
    subject = await ctx.resolve("subjects", (r["subject"] for r in records))
    staff = await ctx.resolve("staff", (x for r in records for x in (r["teacher"],
                                                                      r["substitute"])))
    group = await ctx.resolve("subgroups", (r["subgroup"] for r in records))
    cols = ("class_id", "subgroup_id", "subject_id", "teacher_id", "substitute_id", "date",
            "slot", "room", "topic", "status")
    old = await sql.stored(ctx.session, "lessons", ctx.school_id,
                           (r["external_id"] for r in records), cols)
    diff = ctx.diff("lessons", records, old, lambda r: {
        "class_id": klass[r["class"]], "subgroup_id": group.get(r["subgroup"] or ""),
        "subject_id": subject[r["subject"]], "teacher_id": staff[r["teacher"]],
        "substitute_id": staff.get(r["substitute"] or ""), "date": r["date"],
        "slot": r["slot"], "room": r["room"], "topic": r["topic"],
        "status": r["status"] or "scheduled"})
    written = await sql.upsert(ctx.session, "lessons", ctx.school_id, diff.write, {
        "class_id": "integer", "subgroup_id": "integer", "subject_id": "integer",
        "teacher_id": "integer", "substitute_id": "integer", "date": "date",
        "slot": "smallint", "room": "text", "topic": "text", "status": "lessonstatus"},
        stored_ids=old.keys())
    ctx.ids.setdefault("lessons", {}).update(written)
    # Lesson changes are news for today and tomorrow only (a timetable is read in advance).
    soon = (ctx.today(), ctx.today() + dt.timedelta(days=1))
    told = [row for row in diff.write if row["status"] in NOTABLE and row["date"] in soon
            and (old.get(row["external_id"]) or {}).get("status") != row["status"]]
    if ctx.initial_load or not told:
        return
    subjects = await _names(ctx, "subjects", {r["subject_id"] for r in told})
    teachers = await _names(ctx, "staff", {r["substitute_id"] for r in told if r["substitute_id"]},
                            "concat_ws(' ', last_name, first_name, middle_name)")
    audience = await _audience(ctx, [(r["class_id"], r["subgroup_id"], None) for r in told])
    for row in told:
        lesson_id = written[row["external_id"]]
        change = ev.LessonChangeEvent(
            type=f"lesson_{row['status']}", subject=subjects[row["subject_id"]],
            date=row["date"], slot=row["slot"],
            teacher=teachers.get(row["substitute_id"]) if row["status"] == "replaced" else None)
        key = f"lesson:{lesson_id}:{row['status']}:{row['substitute_id'] or 0}::"
        for student in audience[(row["class_id"], row["subgroup_id"], None)]:
            ctx.pushes.append((student, Push(change, f"{key}:{student}", row["subject_id"])))


async def homework(ctx: Apply, records: list[dict[str, Any]]) -> None:
    records = await _delete(ctx, "homework", records, _delete_sql("homework"))
    klass = await ctx.resolve("classes", (r["class"] for r in records))
    subject = await ctx.resolve("subjects", (r["subject"] for r in records))
    group = await ctx.resolve("subgroups", (r["subgroup"] for r in records))
    student = await ctx.resolve("students", (r["student"] for r in records))
    lesson = await ctx.resolve("lessons", (r["lesson"] for r in records))
    lesson_rows = {r.id: r for r in await sql.execute(
        ctx.session, "SELECT id, date, teacher_id FROM lessons WHERE id = ANY(CAST(:i AS "
        "integer[]))", i=sorted({lesson[r["lesson"]] for r in records if r["lesson"]}))}
    cols = ("class_id", "subgroup_id", "student_id", "subject_id", "lesson_id", "teacher_id",
            "assigned_on", "due_on", "text")
    old = await sql.stored(ctx.session, "homework", ctx.school_id,
                           (r["external_id"] for r in records), cols)

    def values(r: dict[str, Any]) -> dict[str, Any]:
        les = lesson_rows.get(lesson.get(r["lesson"] or "", 0))
        before = old.get(r["external_id"])
        assigned = les.date if les else before["assigned_on"] if before else ctx.today()
        return {"class_id": klass[r["class"]], "subgroup_id": group.get(r["subgroup"] or ""),
                "student_id": student.get(r["student"] or ""),
                "subject_id": subject[r["subject"]], "lesson_id": les.id if les else None,
                "teacher_id": les.teacher_id if les else None,
                "assigned_on": min(assigned, r["due_on"]), "due_on": r["due_on"],
                "text": r["text"]}

    diff = ctx.diff("homework", records, old, values)
    written = await sql.upsert(ctx.session, "homework", ctx.school_id, diff.write, {
        "class_id": "integer", "subgroup_id": "integer", "student_id": "integer",
        "subject_id": "integer", "lesson_id": "integer", "teacher_id": "integer",
        "assigned_on": "date", "due_on": "date", "text": "text"},
        stored_ids=old.keys())
    ctx.ids.setdefault("homework", {}).update(written)
    told = [row for row in diff.write if row["due_on"] >= ctx.today()
            and not ctx.quiet(row["assigned_on"])
            and (row["external_id"] in diff.created or (
                old[row["external_id"]]["text"], old[row["external_id"]]["due_on"])
                != (row["text"], row["due_on"]))]
    if not told:
        return
    subjects = await _names(ctx, "subjects", {r["subject_id"] for r in told})
    audience = await _audience(ctx, [(r["class_id"], r["subgroup_id"], r["student_id"])
                                     for r in told])
    for row in told:
        hw_id = written[row["external_id"]]
        kind = "homework_new" if row["external_id"] in diff.created else "homework_changed"
        given = ev.HomeworkEvent(type=kind, subject=subjects[row["subject_id"]],
                                 due_on=row["due_on"], text=row["text"][:1500])
        digest = hashlib.sha256(f"{row['due_on']}|{row['text']}".encode()).hexdigest()[:12]
        for s in audience[(row["class_id"], row["subgroup_id"], row["student_id"])]:
            ctx.pushes.append((s, Push(given, f"homework:{hw_id}:{digest}:{s}",
                                       row["subject_id"])))


async def attendance(ctx: Apply, records: list[dict[str, Any]]) -> None:
    records = await _delete(ctx, "attendance", records, _delete_sql("attendance"))
    student = await ctx.resolve("students", (r["student"] for r in records))
    lesson = await ctx.resolve("lessons", (r["lesson"] for r in records))
    lessons = {r.id: r for r in await sql.execute(
        ctx.session, "SELECT id, date, slot, subject_id FROM lessons WHERE id = "
        "ANY(CAST(:i AS integer[]))", i=sorted({lesson[r["lesson"]] for r in records}))}
    old = await sql.stored(ctx.session, "attendance", ctx.school_id,
                           (r["external_id"] for r in records),
                           ("student_id", "lesson_id", "date", "kind"))
    diff = ctx.diff("attendance", records, old, lambda r: {
        "student_id": student[r["student"]], "lesson_id": lesson[r["lesson"]],
        "date": lessons[lesson[r["lesson"]]].date, "kind": r["kind"]})
    written = await sql.upsert(ctx.session, "attendance", ctx.school_id, diff.write, {
        "student_id": "integer", "lesson_id": "integer", "date": "date",
        "kind": "attendancekind"},
        stored_ids=old.keys())
    ctx.ids.setdefault("attendance", {}).update(written)
    # The register of these lessons is taken (a lesson the journal sends no absences for
    # stays "not filled" until its marks or a register arrive).
    await sql.execute(ctx.session, "UPDATE lessons SET attendance_taken_at = :now WHERE "
                      "id = ANY(CAST(:i AS integer[])) AND attendance_taken_at IS NULL",
                      i=sorted(lessons), now=clock.now())
    if not ctx.initial_load:
        await deadlines.record_late_absences(
            ctx.session, [written[ext] for ext in diff.created])
    # An absence is news when it is new or its kind changed (002 §2: timely word).
    told = [row for row in diff.write if not ctx.quiet(row["date"])
            and (old.get(row["external_id"]) or {}).get("kind") != row["kind"]]
    subjects = await _names(ctx, "subjects", {lessons[r["lesson_id"]].subject_id for r in told})
    for row in told:
        les = lessons[row["lesson_id"]]
        ctx.pushes.append((row["student_id"], absence_push(
            written[row["external_id"]], row["kind"], subject=subjects[les.subject_id],
            subject_id=les.subject_id, date=row["date"], slot=les.slot)))


async def final_marks(ctx: Apply, records: list[dict[str, Any]]) -> None:
    student = await ctx.resolve("students", (r["student"] for r in records))
    subject = await ctx.resolve("subjects", (r["subject"] for r in records))
    period = await ctx.resolve("periods", (r["period"] for r in records))
    periods = {r.id: r for r in await sql.execute(
        ctx.session, "SELECT id, name, CAST(kind AS text) AS kind FROM periods WHERE id = "
        "ANY(CAST(:i AS integer[]))", i=sorted({period[r["period"]] for r in records}))}
    old = await sql.stored(ctx.session, "final_marks", ctx.school_id,
                           (r["external_id"] for r in records),
                           ("student_id", "subject_id", "period_id", "kind", "value", "passed",
                            "postponed"))
    diff = ctx.diff("final_marks", records, old, lambda r: {
        "student_id": student[r["student"]], "subject_id": subject[r["subject"]],
        "period_id": period[r["period"]],
        "kind": "year" if periods[period[r["period"]]].kind == "year" else "period",
        "value": r["value"], "passed": r["passed"], "postponed": bool(r["postponed"])})
    for row in diff.write:
        row["entered_at"] = clock.now()
    written = await sql.upsert(ctx.session, "final_marks", ctx.school_id, diff.write, {
        "student_id": "integer", "subject_id": "integer", "period_id": "integer",
        "kind": "finalmarkkind", "value": "smallint", "passed": "boolean",
        "postponed": "boolean", "entered_at": "timestamptz"})
    ctx.ids.setdefault("final_marks", {}).update(written)
    if ctx.initial_load or not diff.write:
        return
    subjects = await _names(ctx, "subjects", {r["subject_id"] for r in diff.write})
    stamp = clock.now().timestamp()
    for row in diff.write:
        before = old.get(row["external_id"])
        had = before if before is not None and not before["postponed"] else {}
        final = ev.FinalMarkEvent(
            subject=subjects[row["subject_id"]], period=periods[row["period_id"]].name,
            final_kind=row["kind"], value=row["value"], passed=row["passed"],
            postponed=row["postponed"], old_value=had.get("value"),
            old_passed=had.get("passed"))
        # Keyed by the change: 4 → 5 → 4 is told twice; an identical re-send writes nothing.
        ctx.pushes.append((row["student_id"], Push(
            final, f"final:{written[row['external_id']]}:{stamp}", row["subject_id"])))
