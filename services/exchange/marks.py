"""Applying current marks: one upsert, one history insert and one soft-delete per batch.

A mark's subject and date are its lesson's; its weight is its work type's (as
services/journal.py stores them). Every change of value is a MarkChange row and, outside
backfill, a push keyed by that change, so a re-sent batch (no change) pushes nothing.
"""

from __future__ import annotations

from typing import Any

from services import clock, deadlines
from services.exchange import sql
from services.exchange.context import Apply
from services.notifications import Push
from services.push_events import MarkEvent

_COLS = ("student_id", "subject_id", "lesson_id", "work_type_id", "date", "value", "passed",
         "weight", "comment", "deleted_at")
_TYPES = {"student_id": "integer", "subject_id": "integer", "lesson_id": "integer",
          "work_type_id": "integer", "date": "date", "value": "smallint", "passed": "boolean",
          "weight": "smallint", "comment": "text", "deleted_at": "timestamptz",
          "updated_at": "timestamptz"}


async def marks(ctx: Apply, records: list[dict[str, Any]]) -> None:
    now = clock.now()
    counts = ctx.counts("marks")
    gone = [r["external_id"] for r in records if r["deleted"]]
    records = [r for r in records if not r["deleted"]]
    changes: list[tuple[int, str, dict[str, Any], dict[str, Any] | None]] = []
    if gone:
        deleted = (await sql.execute(
            ctx.session, "UPDATE marks SET deleted_at = :now WHERE school_id = :s AND "
            "external_id = ANY(CAST(:e AS text[])) AND deleted_at IS NULL RETURNING "
            "id, student_id, subject_id, work_type_id, date, value, passed, weight",
            now=now, s=ctx.school_id, e=gone)).all()
        counts.deleted += len(deleted)
        counts.unchanged += len(gone) - len(deleted)
        changes += [(r.id, "deleted", dict(r._mapping), None) for r in deleted]
    student = await ctx.resolve("students", (r["student"] for r in records))
    lesson = await ctx.resolve("lessons", (r["lesson"] for r in records))
    work_type = await ctx.resolve("work_types", (r["work_type"] for r in records))
    lessons = {r.id: r for r in await sql.execute(
        ctx.session, "SELECT id, date, subject_id FROM lessons WHERE id = "
        "ANY(CAST(:i AS integer[]))", i=sorted({lesson[r["lesson"]] for r in records}))}
    weights = {r.id: r.weight for r in await sql.execute(
        ctx.session, "SELECT id, weight FROM work_types WHERE school_id = :s", s=ctx.school_id)}
    old = await sql.stored(ctx.session, "marks", ctx.school_id,
                           (r["external_id"] for r in records), _COLS)

    def values(r: dict[str, Any]) -> dict[str, Any]:
        les = lessons[lesson[r["lesson"]]]
        wt = work_type[r["work_type"]]
        return {"student_id": student[r["student"]], "subject_id": les.subject_id,
                "lesson_id": les.id, "work_type_id": wt, "date": les.date,
                "value": r["value"], "passed": r["passed"], "weight": weights[wt],
                "comment": r["comment"], "deleted_at": None}

    diff = ctx.diff("marks", records, old, values)
    for row in diff.write:
        row["updated_at"] = None if row["external_id"] in diff.created else now
    written = await sql.upsert(ctx.session, "marks", ctx.school_id, diff.write, _TYPES,
                               stored_ids=old.keys())
    ctx.ids.setdefault("marks", {}).update(written)
    if not ctx.initial_load:  # a first fill is not a late entry (002 §5.2)
        await deadlines.record_late_marks(
            ctx.session, [written[ext] for ext in diff.created])
    for row in diff.write:
        before = old.get(row["external_id"])
        mark_id = written[row["external_id"]]
        if before is None or before["deleted_at"] is not None:
            changes.append((mark_id, "created", row, None))
        elif (before["value"], before["passed"]) != (row["value"], row["passed"]):
            changes.append((mark_id, "updated", row, before))
    await _history_and_pushes(ctx, changes, now)


async def _history_and_pushes(ctx: Apply,
                              changes: list[tuple[int, str, dict[str, Any],
                                                  dict[str, Any] | None]],
                              now: Any) -> None:
    if not changes:
        return
    # Deleted: the mark that was deleted is the old value; created: there is none.
    old_of = [(c[3] if c[1] == "updated" else c[2] if c[1] == "deleted" else None)
              for c in changes]
    new_of = [None if c[1] == "deleted" else c[2] for c in changes]
    result = await sql.execute(
        ctx.session, "INSERT INTO mark_changes (mark_id, action, old_value, new_value, "
        "old_passed, new_passed, changed_at) SELECT m, a, ov, nv, op, np, :now FROM unnest("
        "CAST(:m AS integer[]), CAST(:a AS text[]), CAST(:ov AS smallint[]), "
        "CAST(:nv AS smallint[]), CAST(:op AS boolean[]), CAST(:np AS boolean[])) "
        "AS t(m, a, ov, nv, op, np) RETURNING id, mark_id",
        now=now, m=[c[0] for c in changes], a=[c[1] for c in changes],
        ov=[o["value"] if o else None for o in old_of],
        nv=[n["value"] if n else None for n in new_of],
        op=[o["passed"] if o else None for o in old_of],
        np=[n["passed"] if n else None for n in new_of])
    # A mark changes at most once per batch (its external id appears once).
    change_of = {r.mark_id: r.id for r in result}
    told = [(change_of[c[0]], c) for c in changes if not ctx.quiet(c[2]["date"])]
    if not told:
        return
    subjects = await _lookup(ctx, "subjects", "name", {c[2]["subject_id"] for _, c in told})
    work_names = await _lookup(ctx, "work_types", "name",
                               {c[2]["work_type_id"] for _, c in told})
    for change_id, (mark_id, action, row, before) in told:
        event = MarkEvent(
            type={"created": "mark_added", "updated": "mark_changed",
                  "deleted": "mark_deleted"}[action],
            subject=subjects[row["subject_id"]], work_type=work_names[row["work_type_id"]],
            weight=row["weight"], date=row["date"], value=row["value"], passed=row["passed"],
            old_value=before["value"] if before is not None else None,
            old_passed=before["passed"] if before is not None else None)
        ctx.pushes.append((row["student_id"], Push(
            event, f"mark:{mark_id}:{change_id}", row["subject_id"])))


async def _lookup(ctx: Apply, table: str, column: str, ids: set[int]) -> dict[int, Any]:
    rows = await sql.execute(ctx.session, f"SELECT id, {column} AS v FROM {table} "
                             "WHERE id = ANY(CAST(:i AS integer[]))", i=sorted(ids))
    return {r.id: r.v for r in rows}
