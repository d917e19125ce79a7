"""The batch contract, field by field, and the checks that need no database.

`SPECS` is the one description of every section's fields: validation reads it, and the
OpenAPI document (api/openapi.py) is generated from it, so the two cannot drift. A record
that passes comes out normalized (dates parsed, optional fields filled with None).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

SECTIONS = ("periods", "subjects", "work_types", "staff", "classes", "subgroups", "students",
            "guardians", "lessons", "homework", "marks", "attendance", "final_marks")
DELETABLE = frozenset({"lessons", "homework", "marks", "attendance"})
ROLES = ("admin", "deputy", "director", "class_teacher", "subject_teacher", "clerk",
         "inspector")
RELATIONS = ("mother", "father", "guardian", "other")
EXTERNAL_ID_MAX = 64


@dataclass(frozen=True)
class Field:
    """One field of a record. `kind`: str, text, date, int, bool, enum, ref, refs, links."""

    kind: str
    required: bool = True
    max_len: int = 100
    low: int | None = None
    high: int | None = None
    choices: tuple[str, ...] = ()
    target: str | None = None  # the section a ref / refs / links field points into
    description: str = ""


def _s(required: bool = True, max_len: int = 100, description: str = "") -> Field:
    return Field("str", required, max_len=max_len, description=description)


def _ref(target: str, required: bool = True) -> Field:
    return Field("ref", required, target=target, description=f"external id in {target}")


NAMES = {"last_name": _s(), "first_name": _s(), "middle_name": _s(required=False)}

SPECS: dict[str, dict[str, Field]] = {
    "periods": {
        "kind": Field("enum", choices=("quarter", "half", "year", "holiday")),
        "name": _s(),
        "starts_on": Field("date"), "ends_on": Field("date"),
        "grade_min": Field("int", False, low=1, high=11),
        "grade_max": Field("int", False, low=1, high=11),
    },
    "subjects": {"name": _s()},
    "work_types": {"name": _s(), "weight": Field("int", low=1, high=10)},
    "staff": {**NAMES, "roles": Field("enum_list", False, choices=ROLES)},
    "classes": {
        "name": _s(max_len=10, description="like 5А"),
        "grade": Field("int", low=1, high=11),
        "class_teacher": _ref("staff", required=False),
    },
    "subgroups": {
        "class": _ref("classes"), "subject": _ref("subjects"), "name": _s(max_len=50),
        "students": Field("refs", target="students"),
    },
    "students": {
        **NAMES, "class": _ref("classes"),
        "status": Field("enum", False, choices=("active", "transferred", "left"),
                        description="active when absent"),
    },
    "guardians": {**NAMES, "students": Field("links", target="students")},
    "lessons": {
        "class": _ref("classes"), "subject": _ref("subjects"), "teacher": _ref("staff"),
        "date": Field("date"), "slot": Field("int", low=0, high=12),
        "subgroup": _ref("subgroups", required=False),
        "substitute": _ref("staff", required=False),
        "room": _s(required=False, max_len=20), "topic": Field("text", False),
        "status": Field("enum", False, choices=("held", "replaced", "moved", "cancelled")),
    },
    "homework": {
        "class": _ref("classes"), "subject": _ref("subjects"), "text": Field("text"),
        "due_on": Field("date"), "lesson": _ref("lessons", required=False),
        "subgroup": _ref("subgroups", required=False),
        "student": _ref("students", required=False),
    },
    "marks": {
        "student": _ref("students"), "lesson": _ref("lessons"),
        "work_type": _ref("work_types"),
        "value": Field("int", False, low=1, high=5), "passed": Field("bool", False),
        "comment": Field("text", False),
    },
    "attendance": {
        "student": _ref("students"), "lesson": _ref("lessons"),
        "kind": Field("enum", choices=("absent", "ill", "excused", "late")),
    },
    "final_marks": {
        "student": _ref("students"), "subject": _ref("subjects"), "period": _ref("periods"),
        "value": Field("int", False, low=1, high=5), "passed": Field("bool", False),
        "postponed": Field("bool", False),
    },
}
TEXT_MAX = 10_000


@dataclass
class Problems:
    """Per-record reasons, in the shape the API answers with."""

    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, section: str | None, index: int | None, external_id: Any,
            reason: str) -> None:
        self.items.append({"section": section, "index": index,
                           "external_id": external_id if isinstance(external_id, str) else None,
                           "reason": reason})

    def __bool__(self) -> bool:
        return bool(self.items)


def _value(name: str, spec: Field, raw: Any) -> tuple[Any, str | None]:
    """The normalized value of one present field, or the reason it is refused."""
    if spec.kind in ("str", "text"):
        limit = spec.max_len if spec.kind == "str" else TEXT_MAX
        if not isinstance(raw, str) or not raw.strip():
            return None, f"{name}: a non-empty string expected"
        if len(raw) > limit:
            return None, f"{name}: longer than {limit} characters"
        return raw.strip(), None
    if spec.kind == "date":
        try:
            if isinstance(raw, str) and len(raw) == 10:
                return dt.date.fromisoformat(raw), None
        except ValueError:
            pass
        return None, f"{name}: an ISO date (YYYY-MM-DD) expected"
    if spec.kind == "int":
        if isinstance(raw, bool) or not isinstance(raw, int):
            return None, f"{name}: an integer expected"
        if not spec.low <= raw <= spec.high:  # type: ignore[operator]
            return None, f"{name}: {spec.low}–{spec.high} expected"
        return raw, None
    if spec.kind == "bool":
        return (raw, None) if isinstance(raw, bool) else (None, f"{name}: true or false expected")
    if spec.kind == "enum":
        if raw not in spec.choices:
            return None, f"{name}: one of {', '.join(spec.choices)} expected"
        return raw, None
    if spec.kind == "enum_list":
        if not isinstance(raw, list) or any(r not in spec.choices for r in raw):
            return None, f"{name}: a list of {', '.join(spec.choices)} expected"
        return sorted(set(raw)), None
    if spec.kind == "ref":
        return (raw, None) if _is_id(raw) else (None, f"{name}: an external id expected")
    if spec.kind == "refs":
        if not isinstance(raw, list) or not all(_is_id(r) for r in raw):
            return None, f"{name}: a list of external ids expected"
        return sorted(set(raw)), None
    # links: [{student, relation}]
    if not isinstance(raw, list) or not all(
            isinstance(r, dict) and _is_id(r.get("student")) and r.get("relation") in RELATIONS
            for r in raw):
        return None, (f"{name}: a list of {{student, relation}} expected, relation one of "
                      f"{', '.join(RELATIONS)}")
    return sorted({r["student"]: r["relation"] for r in raw}.items()), None


def _is_id(raw: Any) -> bool:
    return isinstance(raw, str) and 0 < len(raw) <= EXTERNAL_ID_MAX


def _rules(section: str, rec: dict[str, Any]) -> str | None:
    """Rules across fields of one record."""
    if section == "periods":
        if rec["starts_on"] > rec["ends_on"]:
            return "starts_on is after ends_on"
        if (rec["grade_min"] or 1) > (rec["grade_max"] or 11):
            return "grade_min is above grade_max"
    if section == "lessons" and rec["status"] == "replaced" and rec["substitute"] is None:
        return "a replaced lesson needs a substitute"
    if section == "marks" and (rec["value"] is None) == (rec["passed"] is None):
        return "a mark has either value (1–5) or passed"
    if section == "final_marks":
        given = sum(x is not None for x in (rec["value"], rec["passed"])) + bool(rec["postponed"])
        if given != 1:
            return "a final mark has exactly one of value, passed or postponed: true"
    if section == "classes" and not rec["name"].startswith(str(rec["grade"])):
        return "a class name starts with its grade, like 5А"
    return None


def check_shape(batch: dict[str, Any], problems: Problems) -> dict[str, list[dict[str, Any]]]:
    """Normalized records per section; every refusal goes into `problems`."""
    unknown = sorted(set(batch) - set(SECTIONS) - {"initial_load"})
    for key in unknown:
        problems.add(None, None, None, f"unknown section {key!r}")
    if "initial_load" in batch and not isinstance(batch["initial_load"], bool):
        problems.add(None, None, None, "initial_load: true or false expected")
    result: dict[str, list[dict[str, Any]]] = {}
    for section in SECTIONS:
        raw_records = batch.get(section)
        if raw_records is None:
            continue
        if not isinstance(raw_records, list):
            problems.add(section, None, None, "a list of records expected")
            continue
        seen: set[str] = set()
        records = result.setdefault(section, [])
        for index, raw in enumerate(raw_records):
            rec = _record(section, index, raw, problems)
            if rec is None:
                continue
            if rec["external_id"] in seen:
                problems.add(section, index, rec["external_id"], "external_id repeated")
                continue
            seen.add(rec["external_id"])
            rec["index"] = index
            records.append(rec)
    return result


def _record(section: str, index: int, raw: Any, problems: Problems) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        problems.add(section, index, None, "an object expected")
        return None
    ext = raw.get("external_id")
    if not _is_id(ext):
        problems.add(section, index, ext,
                     f"external_id: a string of 1–{EXTERNAL_ID_MAX} characters expected")
        return None
    deleted = raw.get("deleted", False)
    if deleted is not False and (section not in DELETABLE or deleted is not True):
        problems.add(section, index, ext, "deleted: only true, and only in "
                     + ", ".join(sorted(DELETABLE)))
        return None
    specs = SPECS[section]
    unknown = sorted(set(raw) - set(specs) - {"external_id", "deleted"})
    if unknown:
        problems.add(section, index, ext, f"unknown field {unknown[0]!r}")
        return None
    rec: dict[str, Any] = {"external_id": ext, "deleted": deleted}
    if deleted:
        return rec
    failed = False
    for name, spec in specs.items():
        raw_value = raw.get(name)
        if raw_value is None:
            if spec.required:
                problems.add(section, index, ext, f"{name}: required")
                failed = True
            rec[name] = [] if spec.kind in ("refs", "links", "enum_list") else None
            continue
        value, reason = _value(name, spec, raw_value)
        if reason is not None:
            problems.add(section, index, ext, reason)
            failed = True
        rec[name] = value
    if failed:
        return None
    reason = _rules(section, rec)
    if reason is not None:
        problems.add(section, index, ext, reason)
        return None
    return rec
