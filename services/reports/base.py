"""What every report is made of: sheets of typed columns and rows, computed by SQL.

A report knows no language: columns and titles are keys that screens/reports_xlsx.py turns
into Fluent labels (`report-col-<key>`, `report-title-<name>`, `report-sheet-<key>`). Rows
come straight from one aggregate query each (GROUP BY / FILTER); nothing loops over marks
in Python.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.errors import DiaryError
from services.models import StaffRoleKind

# Who oversees the whole school's journal and may have any report (read-only for
# inspectors, which reports are).
OVERSIGHT = frozenset({StaffRoleKind.ADMIN, StaffRoleKind.DEPUTY, StaffRoleKind.DIRECTOR,
                       StaffRoleKind.INSPECTOR})


class Kind(enum.StrEnum):
    """How a column's values are shown: the XLSX number format follows the kind."""

    TEXT = "text"
    INT = "int"
    SHARE = "share"  # a fraction 0..1, shown as a percentage
    AVERAGE = "average"  # a mark average, two decimals
    DATE = "date"
    MARK = "mark"  # a mark: 1-5, or "pass" / "fail" / "postponed" (labels from Fluent)


@dataclass(frozen=True)
class Column:
    key: str  # label id: report-col-<key>
    kind: Kind = Kind.TEXT
    label: str | None = None  # the school's own name (a subject), shown as it is


@dataclass(frozen=True)
class Chart:
    """A bar chart of some columns against the first column (categories)."""

    title_key: str  # report-chart-<key>
    value_columns: tuple[int, ...]  # indexes into the sheet's columns
    category_columns: tuple[int, ...] = (0,)


@dataclass(frozen=True)
class Sheet:
    key: str  # report-sheet-<key>
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    chart: Chart | None = None


@dataclass(frozen=True)
class Report:
    name: str  # report-title-<name>
    school: str
    class_name: str | None
    period: str | None  # the period's own name, as the school wrote it
    made_on: dt.date
    sheets: tuple[Sheet, ...]
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scope:
    """Where a report looks: a school, optionally one class, optionally one period."""

    school_id: int
    school_name: str
    today: dt.date
    class_id: int | None = None
    class_name: str | None = None
    period_id: int | None = None  # None: each class's latest ended period
    period_name: str | None = None
    date_from: dt.date | None = None  # for the reports over a range of days (activity)
    date_to: dt.date | None = None


class UnknownReport(DiaryError):
    text_id = "report-unknown"


class NoSuchPeriod(DiaryError):
    text_id = "report-no-period"


async def rows(session: AsyncSession, sql: str, **params: Any) -> tuple[tuple[Any, ...], ...]:
    result = await session.execute(text(sql), params)
    return tuple(tuple(r) for r in result.all())


def scope_params(scope: Scope) -> dict[str, Any]:
    return {"school_id": scope.school_id, "class_id": scope.class_id,
            "period_id": scope.period_id, "today": scope.today}


# The classes a report covers: the school's classes of the current academic year (one
# class when the scope names it). Used as a CTE: `WITH cls AS (...)`.
CLASSES_CTE = """
cls AS (
    SELECT c.id, c.name, c.grade
    FROM classes c
    WHERE c.school_id = :school_id
      AND (CAST(:class_id AS integer) IS NULL OR c.id = :class_id)
      AND c.academic_year_id = (
          SELECT y.id FROM academic_years y
          WHERE y.school_id = :school_id AND y.starts_on <= :today
          ORDER BY y.starts_on DESC LIMIT 1)
)"""

# Per class, the reporting period (quarter or half-year, by grade) a report is about: the
# one asked for, else the latest one that has ended (during the first term, the first).
CLASS_PERIOD_CTE = CLASSES_CTE + """,
cp AS (
    SELECT cls.id AS class_id, p.id AS period_id, p.name AS period_name,
           p.starts_on, p.ends_on, p.kind
    FROM cls
    CROSS JOIN LATERAL (
        SELECT p.* FROM periods p
        WHERE p.school_id = :school_id AND p.kind IN ('quarter', 'half_year')
          AND cls.grade BETWEEN p.grade_min AND p.grade_max
          AND (CAST(:period_id AS integer) IS NULL OR p.id = :period_id)
        ORDER BY (CAST(:period_id AS integer) IS NOT NULL OR p.ends_on < :today) DESC,
                 CASE WHEN p.ends_on < :today THEN p.ends_on END DESC NULLS LAST,
                 p.starts_on
        LIMIT 1) p
)"""


def period_label(sheet_rows: Sequence[tuple[Any, ...]], index: int) -> str | None:
    """The period names a report's rows are about, when they agree."""
    names = sorted({r[index] for r in sheet_rows if r[index]})
    return ", ".join(names) if names else None
