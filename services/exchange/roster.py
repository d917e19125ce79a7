"""A class list as CSV, turned into a batch (`diary import --roster-csv`).

One row per student and guardian (a student with two guardians takes two rows), with the
header: class, last_name, first_name, middle_name, guardian_last_name, guardian_first_name,
guardian_middle_name, relation; optional student_id and guardian_id columns carry the
journal's external ids. Without them the ids are derived from the names, so re-importing
the same list changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from typing import Any

from services.errors import InvalidJournalData

REQUIRED = ("class", "last_name", "first_name")


def _derived(prefix: str, *parts: str) -> str:
    digest = hashlib.sha256("|".join(p.strip().casefold() for p in parts).encode())
    return f"{prefix}:{digest.hexdigest()[:20]}"


def _cell(row: dict[str, Any], name: str) -> str | None:
    value = (row.get(name) or "").strip()
    return value or None


def roster_batch(content: str) -> dict[str, Any]:
    reader = csv.DictReader(io.StringIO(content))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidJournalData(f"the CSV header lacks {', '.join(missing)}")
    classes: dict[str, dict[str, Any]] = {}
    students: dict[str, dict[str, Any]] = {}
    guardians: dict[str, dict[str, Any]] = {}
    for line, row in enumerate(reader, start=2):
        name = _cell(row, "class") or ""
        grade = re.match(r"\d+", name)
        if not grade or not _cell(row, "last_name") or not _cell(row, "first_name"):
            raise InvalidJournalData(f"line {line}: class (like 5А), last_name and first_name "
                                     "are required")
        class_ext = f"class:{name}"
        classes[class_ext] = {"external_id": class_ext, "name": name, "grade": int(grade[0])}
        names = {k: _cell(row, k) for k in ("last_name", "first_name", "middle_name")}
        student_ext = _cell(row, "student_id") or _derived(
            "student", *(names[k] or "" for k in names))
        students[student_ext] = {"external_id": student_ext, **names, "class": class_ext,
                                 "status": "active"}
        g_names = {k: _cell(row, f"guardian_{k}")
                   for k in ("last_name", "first_name", "middle_name")}
        if not g_names["last_name"] and not g_names["first_name"]:
            continue
        guardian_ext = _cell(row, "guardian_id") or _derived(
            "guardian", *(g_names[k] or "" for k in g_names))
        guardian = guardians.setdefault(guardian_ext, {"external_id": guardian_ext, **g_names,
                                                       "students": []})
        guardian["students"].append({"student": student_ext,
                                     "relation": _cell(row, "relation") or "other"})
    return {"classes": list(classes.values()), "students": list(students.values()),
            "guardians": list(guardians.values())}
