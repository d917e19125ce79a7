"""Applying the school's structure: periods, subjects, work types, staff, classes,
subgroups, students (with transfers and leavers) and guardians."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from services import offboarding
from services.exchange import sql
from services.exchange.context import Apply, Diff

PERIOD_KINDS = {"quarter": "quarter", "half": "half_year", "year": "year",
                "holiday": "holidays"}


def _academic_start(day: dt.date) -> int:
    return day.year if day.month >= 8 else day.year - 1


async def _academic_years(ctx: Apply, days: set[dt.date]) -> dict[dt.date, int]:
    """The academic year of each date, creating the missing years (1 Sep - 31 Aug)."""
    rows = (await sql.execute(ctx.session, "SELECT id, name, starts_on, ends_on "
                              "FROM academic_years WHERE school_id = :s",
                              s=ctx.school_id)).all()
    by_name = {r.name: r.id for r in rows}
    result = {}
    for day in sorted(days):
        inside = [r.id for r in rows if r.starts_on <= day <= r.ends_on]
        start = _academic_start(day)
        name = f"{start}/{start + 1}"
        if inside:
            result[day] = inside[0]
            continue
        if name not in by_name:
            by_name[name] = (await sql.execute(
                ctx.session, "INSERT INTO academic_years (school_id, name, starts_on, ends_on) "
                "VALUES (:s, :n, :a, :b) RETURNING id", s=ctx.school_id, n=name,
                a=dt.date(start, 9, 1), b=dt.date(start + 1, 8, 31))).scalar_one()
        result[day] = by_name[name]
    return result


async def _adopt(ctx: Apply, table: str, key: str, pairs: list[tuple[str, Any]]) -> None:
    """Give rows entered before the journal was connected (same name, no external id) the
    journal's id, so the upsert updates them instead of tripping their unique name."""
    if not pairs:
        return
    await sql.execute(
        ctx.session, f"UPDATE {table} x SET external_id = t.ext "
        f"FROM unnest(CAST(:exts AS text[]), CAST(:keys AS text[])) AS t(ext, k) "
        f"WHERE x.school_id = :s AND x.external_id IS NULL AND CAST(x.{key} AS text) = t.k "
        f"AND NOT EXISTS (SELECT 1 FROM {table} y WHERE y.school_id = :s "
        "AND y.external_id = t.ext)",
        exts=[p[0] for p in pairs], keys=[str(p[1]) for p in pairs], s=ctx.school_id)


# Columns with ORM-side defaults, filled on insert (an update keeps what is stored).
DEFAULTS = {"subjects": {"pass_fail": "false"}, "work_types": {"is_test": "false"},
            "staff": {"is_active": "true"}, "guardians": {"prefers_paper": "false"}}


async def _write(ctx: Apply, section: str, diff: Diff, types: dict[str, str]) -> None:
    written = await sql.upsert(ctx.session, section, ctx.school_id, diff.write, types,
                               DEFAULTS.get(section))
    ctx.ids.setdefault(section, {}).update(written)


async def periods(ctx: Apply, records: list[dict[str, Any]]) -> None:
    years = await _academic_years(ctx, {r["starts_on"] for r in records})
    old = await sql.stored(ctx.session, "periods", ctx.school_id,
                           (r["external_id"] for r in records),
                           ("academic_year_id", "kind", "number", "name", "starts_on",
                            "ends_on", "grade_min", "grade_max"))
    others = (await sql.execute(ctx.session, "SELECT external_id, academic_year_id, kind, "
                                "starts_on FROM periods WHERE school_id = :s",
                                s=ctx.school_id)).all()
    starts: dict[tuple[int, str], dict[str | None, dt.date]] = defaultdict(dict)
    for o in others:
        starts[(o.academic_year_id, o.kind)][o.external_id] = o.starts_on
    for r in records:
        starts[(years[r["starts_on"]], PERIOD_KINDS[r["kind"]])][r["external_id"]] = \
            r["starts_on"]

    def values(r: dict[str, Any]) -> dict[str, Any]:
        year, kind = years[r["starts_on"]], PERIOD_KINDS[r["kind"]]
        # The number of a quarter or half: its place among the year's periods of its kind.
        number = sum(d < r["starts_on"] for d in starts[(year, kind)].values()) + 1
        return {"academic_year_id": year, "kind": kind, "number": number, "name": r["name"],
                "starts_on": r["starts_on"], "ends_on": r["ends_on"],
                "grade_min": r["grade_min"] or 1, "grade_max": r["grade_max"] or 11}

    diff = ctx.diff("periods", records, old, values)
    await _write(ctx, "periods", diff, {
        "academic_year_id": "integer", "kind": "periodkind", "number": "smallint",
        "name": "text", "starts_on": "date", "ends_on": "date", "grade_min": "smallint",
        "grade_max": "smallint"})


async def subjects(ctx: Apply, records: list[dict[str, Any]]) -> None:
    await _adopt(ctx, "subjects", "name", [(r["external_id"], r["name"]) for r in records])
    old = await sql.stored(ctx.session, "subjects", ctx.school_id,
                           (r["external_id"] for r in records), ("name", "short_name"))
    diff = ctx.diff("subjects", records, old,
                    lambda r: {"name": r["name"], "short_name": r["name"][:30]})
    await _write(ctx, "subjects", diff, {"name": "text", "short_name": "text"})


async def work_types(ctx: Apply, records: list[dict[str, Any]]) -> None:
    def code(ext: str) -> str:
        return ext[:30]

    await _adopt(ctx, "work_types", "code",
                 [(r["external_id"], code(r["external_id"])) for r in records])
    old = await sql.stored(ctx.session, "work_types", ctx.school_id,
                           (r["external_id"] for r in records), ("code", "name", "weight"))
    diff = ctx.diff("work_types", records, old, lambda r: {
        "code": code(r["external_id"]), "name": r["name"], "weight": r["weight"]})
    await _write(ctx, "work_types", diff, {"code": "text", "name": "text",
                                           "weight": "smallint"})


def _names(r: dict[str, Any]) -> dict[str, Any]:
    return {"last_name": r["last_name"], "first_name": r["first_name"],
            "middle_name": r["middle_name"]}


_NAME_TYPES = {"last_name": "text", "first_name": "text", "middle_name": "text"}


async def _sync_links(ctx: Apply, table: str, owner: str, other: str, extra: str | None,
                      wanted: dict[int, set[tuple[Any, ...]]], insert_sql: str) -> set[int]:
    """Make each owner's link rows (`other`, optional `extra`) exactly `wanted`; returns the
    owners whose links changed. Two statements whatever the count."""
    owners = sorted(wanted)
    if not owners:
        return set()
    cols = f"{owner}, {other}" + (f", CAST({extra} AS text)" if extra else "")
    rows = (await sql.execute(ctx.session, f"SELECT {cols} FROM {table} "
                              f"WHERE {owner} = ANY(CAST(:o AS integer[]))", o=owners)).all()
    have: dict[int, set[tuple[Any, ...]]] = defaultdict(set)
    for row in rows:
        have[row[0]].add(tuple(row[1:]))
    changed = {o for o in owners if have.get(o, set()) != wanted[o]}
    if not changed:
        return changed
    gone = [(o, link) for o in changed for link in have.get(o, set()) - wanted[o]]
    if gone:
        await sql.execute(
            ctx.session, f"DELETE FROM {table} x USING unnest(CAST(:o AS integer[]), "
            f"CAST(:p AS integer[])) AS d(o, p) WHERE x.{owner} = d.o AND x.{other} = d.p",
            o=[g[0] for g in gone], p=[g[1][0] for g in gone])
    new = [(o, *link) for o in changed for link in wanted[o] - have.get(o, set())]
    if new:
        await sql.execute(ctx.session, insert_sql, s=ctx.school_id,
                          o=[n[0] for n in new], p=[n[1] for n in new],
                          x=[n[2] if len(n) > 2 else None for n in new])
    return changed


async def staff(ctx: Apply, records: list[dict[str, Any]]) -> None:
    old = await sql.stored(ctx.session, "staff", ctx.school_id,
                           (r["external_id"] for r in records), tuple(_NAME_TYPES))
    diff = ctx.diff("staff", records, old, _names)
    await _write(ctx, "staff", diff, _NAME_TYPES)
    ids = await ctx.resolve("staff", (r["external_id"] for r in records))
    roles = (await sql.execute(ctx.session, "SELECT staff_id, role::text AS role FROM "
                               "staff_roles WHERE staff_id = ANY(CAST(:o AS integer[]))",
                               o=sorted(ids[r["external_id"]] for r in records))).all()
    have: dict[int, set[str]] = defaultdict(set)
    for row in roles:
        have[row.staff_id].add(row.role)
    changed = [r for r in records if have.get(ids[r["external_id"]], set()) != set(r["roles"])]
    if changed:
        owners = [ids[r["external_id"]] for r in changed]
        await sql.execute(ctx.session, "DELETE FROM staff_roles WHERE staff_id = "
                          "ANY(CAST(:o AS integer[]))", o=owners)
        pairs = [(ids[r["external_id"]], role) for r in changed for role in r["roles"]]
        await sql.execute(
            ctx.session, "INSERT INTO staff_roles (staff_id, school_id, role) SELECT o, :s, "
            "CAST(r AS staffrolekind) FROM unnest(CAST(:o AS integer[]), CAST(:r AS text[])) "
            "AS t(o, r)", s=ctx.school_id, o=[p[0] for p in pairs], r=[p[1] for p in pairs])
        ctx.mark_updated("staff", diff, (r["external_id"] for r in changed))


async def classes(ctx: Apply, records: list[dict[str, Any]]) -> None:
    year = (await _academic_years(ctx, {ctx.today()}))[ctx.today()]
    await _adopt(ctx, "classes", "name", [(r["external_id"], r["name"]) for r in records])
    teachers = await ctx.resolve("staff", (r["class_teacher"] for r in records))
    old = await sql.stored(ctx.session, "classes", ctx.school_id,
                           (r["external_id"] for r in records),
                           ("academic_year_id", "grade", "letter", "name", "class_teacher_id"))

    def values(r: dict[str, Any]) -> dict[str, Any]:
        before = old.get(r["external_id"])
        return {"academic_year_id": before["academic_year_id"] if before else year,
                "grade": r["grade"], "letter": r["name"][len(str(r["grade"])):][:4] or "-",
                "name": r["name"], "class_teacher_id": teachers.get(r["class_teacher"] or "")}

    diff = ctx.diff("classes", records, old, values)
    await _write(ctx, "classes", diff, {"academic_year_id": "integer", "grade": "smallint",
                                        "letter": "text", "name": "text",
                                        "class_teacher_id": "integer"})


async def subgroups(ctx: Apply, records: list[dict[str, Any]]) -> None:
    klass = await ctx.resolve("classes", (r["class"] for r in records))
    subject = await ctx.resolve("subjects", (r["subject"] for r in records))
    old = await sql.stored(ctx.session, "subgroups", ctx.school_id,
                           (r["external_id"] for r in records), ("class_id", "subject_id", "name"))
    diff = ctx.diff("subgroups", records, old, lambda r: {
        "class_id": klass[r["class"]], "subject_id": subject[r["subject"]], "name": r["name"]})
    await _write(ctx, "subgroups", diff, {"class_id": "integer", "subject_id": "integer",
                                          "name": "text"})
    ctx.diffs["subgroups"] = diff


async def subgroup_members(ctx: Apply, records: list[dict[str, Any]]) -> None:
    """Members, once the batch's students are stored (students come after subgroups)."""
    diff = ctx.diffs["subgroups"]
    students = await ctx.resolve("students", (s for r in records for s in r["students"]))
    ids = await ctx.resolve("subgroups", (r["external_id"] for r in records))
    by_id = {ids[r["external_id"]]: r["external_id"] for r in records}
    changed = await _sync_links(
        ctx, "subgroup_members", "subgroup_id", "student_id", None,
        {ids[r["external_id"]]: {(students[s],) for s in r["students"]} for r in records},
        "INSERT INTO subgroup_members (subgroup_id, student_id) SELECT o, p FROM "
        "unnest(CAST(:o AS integer[]), CAST(:p AS integer[])) AS t(o, p)")
    ctx.mark_updated("subgroups", diff, (by_id[c] for c in changed))


async def students(ctx: Apply, records: list[dict[str, Any]]) -> None:
    klass = await ctx.resolve("classes", (r["class"] for r in records))
    old = await sql.stored(ctx.session, "students", ctx.school_id,
                           (r["external_id"] for r in records),
                           ("class_id", "status", *_NAME_TYPES))
    for r in records:
        r["status"] = r["status"] or "active"
    # Leavers first: the termination flow revokes links and tells every chat why (002 §10).
    for r in records:
        before = old.get(r["external_id"])
        if before and before["status"] == "active" and r["status"] != "active":
            await offboarding.student_left(ctx.session, before["id"], reason="left_school")
    await ctx.session.flush()
    diff = ctx.diff("students", records, old, lambda r: {
        "class_id": klass[r["class"]], "status": r["status"], **_names(r)})
    await _write(ctx, "students", diff, {"class_id": "integer", "status": "studentstatus",
                                         **_NAME_TYPES})
    ids = ctx.ids["students"]
    # A new class is a transfer: the history records it and the links stay.
    moved = [r for r in records if r["external_id"] in diff.updated
             and old[r["external_id"]]["class_id"] != klass[r["class"]]]
    entered = [r for r in records if r["external_id"] in diff.created] + moved
    if moved:
        await sql.execute(ctx.session, "UPDATE student_class_history SET to_date = :d "
                          "WHERE student_id = ANY(CAST(:o AS integer[])) AND to_date IS NULL",
                          d=ctx.today(), o=[ids[r["external_id"]] for r in moved])
    if entered:
        await sql.execute(
            ctx.session, "INSERT INTO student_class_history (student_id, class_id, from_date, "
            "reason) SELECT o, c, :d, r FROM unnest(CAST(:o AS integer[]), "
            "CAST(:c AS integer[]), CAST(:r AS text[])) AS t(o, c, r)", d=ctx.today(),
            o=[ids[r["external_id"]] for r in entered], c=[klass[r["class"]] for r in entered],
            r=["transfer" if r in moved else "enrolled" for r in entered])


async def guardians(ctx: Apply, records: list[dict[str, Any]]) -> None:
    students = await ctx.resolve("students", (s for r in records for s, _ in r["students"]))
    old = await sql.stored(ctx.session, "guardians", ctx.school_id,
                           (r["external_id"] for r in records), tuple(_NAME_TYPES))
    diff = ctx.diff("guardians", records, old, _names)
    await _write(ctx, "guardians", diff, _NAME_TYPES)
    ids = await ctx.resolve("guardians", (r["external_id"] for r in records))
    by_id = {ids[r["external_id"]]: r["external_id"] for r in records}
    changed = await _sync_links(
        ctx, "guardian_students", "guardian_id", "student_id", "relation",
        {ids[r["external_id"]]: {(students[s], rel) for s, rel in r["students"]}
         for r in records},
        "INSERT INTO guardian_students (guardian_id, student_id, relation) SELECT o, p, "
        "CAST(x AS guardianrelation) FROM unnest(CAST(:o AS integer[]), CAST(:p AS integer[]), "
        "CAST(:x AS text[])) AS t(o, p, x) ON CONFLICT (guardian_id, student_id) "
        "DO UPDATE SET relation = EXCLUDED.relation")
    ctx.mark_updated("guardians", diff, (by_id[c] for c in changed))
