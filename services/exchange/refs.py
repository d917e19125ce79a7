"""Checks that need the database: every reference names a record of this batch or one
already stored for the school, and the regulations' rules hold for the records as they
will be once the batch is applied (002 §5.5: no marks for first-graders)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.exchange import sql
from services.exchange.schema import SPECS, Problems

_REF_FIELDS = {section: [(name, spec) for name, spec in specs.items() if spec.target]
               for section, specs in SPECS.items()}


def _targets(section: str, rec: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field, target section, external id) of every reference in a record."""
    found = []
    for name, spec in _REF_FIELDS[section]:
        value = rec.get(name)
        if value is None or spec.target is None:
            continue
        if spec.kind == "ref":
            found.append((name, spec.target, value))
        elif spec.kind == "refs":
            found += [(name, spec.target, v) for v in value]
        else:  # links: (student, relation) pairs
            found += [(name, spec.target, v[0]) for v in value]
    return found


async def check_references(session: AsyncSession, school_id: int,
                           records: dict[str, list[dict[str, Any]]],
                           problems: Problems) -> None:
    in_batch = {s: {r["external_id"] for r in recs if not r["deleted"]}
                for s, recs in records.items()}
    # Sets first (a 10,000-mark batch names a few hundred distinct records); records are
    # visited one by one only to report the references that are missing.
    wanted: dict[str, set[str]] = defaultdict(set)
    for section, recs in records.items():
        for name, spec in _REF_FIELDS[section]:
            values: set[str] = set()
            for rec in recs:
                value = rec.get(name)
                if value is None:
                    continue
                if spec.kind == "ref":
                    values.add(value)
                else:
                    values.update(v if spec.kind == "refs" else v[0] for v in value)
            wanted[str(spec.target)] |= values - in_batch.get(str(spec.target), set())
    missing = {t: exts - set(await sql.stored(session, t, school_id, exts, ()))
               for t, exts in wanted.items() if exts}
    if any(missing.values()):
        for section, recs in records.items():
            for rec in recs:
                for name, target, ext in _targets(section, rec):
                    if ext in missing.get(target, ()):
                        problems.add(section, rec["index"], rec["external_id"],
                                     f"{name}: no {target} record {ext!r} in this batch or "
                                     "stored")
    await _students_rules(session, school_id, records, problems)


async def _students_rules(session: AsyncSession, school_id: int,
                          records: dict[str, list[dict[str, Any]]], problems: Problems) -> None:
    """No marks for first-graders (002 §5.5); no new marks or absences for a student who is
    no longer at school (re-sent ones of a leaver stay accepted, unchanged)."""
    graded = [(s, r) for s in ("marks", "final_marks", "attendance") for r in records.get(s, [])
              if not r["deleted"]]
    if not graded:
        return
    batch_students = {r["external_id"]: r for r in records.get("students", [])}
    batch_grades = {r["external_id"]: r["grade"] for r in records.get("classes", [])}
    rows = await sql.execute(
        session, "SELECT s.external_id, CAST(s.status AS text) AS status, c.external_id AS "
        "class_ext, c.grade FROM students s LEFT JOIN classes c ON c.id = s.class_id "
        "WHERE s.school_id = :s AND s.external_id = ANY(CAST(:e AS text[]))", s=school_id,
        e=sorted({r["student"] for _, r in graded} - set(batch_students)))
    class_of = {r.external_id: r.class_ext for r in rows}
    status = {r.external_id: r.status for r in rows}
    grades = {r.class_ext: r.grade for r in rows if r.class_ext}
    class_of.update({ext: r["class"] for ext, r in batch_students.items()})
    status.update({ext: r["status"] or "active" for ext, r in batch_students.items()})
    missing = {r["class"] for r in batch_students.values() if r["class"] not in batch_grades}
    if missing:
        grades.update({ext: row["grade"] for ext, row in (await sql.stored(
            session, "classes", school_id, missing, ("grade",))).items()})
    grades.update(batch_grades)
    gone = {s for s, value in status.items() if value != "active"}
    stored: dict[str, set[str]] = {}
    for section in ("marks", "final_marks", "attendance"):
        exts = [r["external_id"] for s, r in graded if s == section and r["student"] in gone]
        stored[section] = set(await sql.stored(session, section, school_id, exts, ()))
    for section, rec in graded:
        if section != "attendance" and grades.get(class_of.get(rec["student"]) or "") == 1:
            problems.add(section, rec["index"], rec["external_id"],
                         "first-grade students get no marks (002 §5.5)")
        elif rec["student"] in gone and rec["external_id"] not in stored[section]:
            problems.add(section, rec["index"], rec["external_id"],
                         "the student is no longer at school")
