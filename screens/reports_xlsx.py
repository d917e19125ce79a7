"""Reports as XLSX workbooks (openpyxl): one worksheet per sheet of the report, each with a
title block, a bold header row, frozen panes below it, column widths fitted to the
contents, number formats by column kind, and a bar chart where the report asks for one.

Every label comes from Fluent (`report-title-*`, `report-sheet-*`, `report-col-*`,
`report-chart-*`, `report-mark-*`); the figures come from the report as they are.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from screens.i18n import Translator
from services.reports.base import Column, Kind, Report, Sheet

HEADER_ROW = 4  # rows 1-2: title and scope, row 3 blank
FORMATS = {Kind.INT: "0", Kind.SHARE: "0.0%", Kind.AVERAGE: "0.00", Kind.DATE: "DD.MM.YYYY"}
MAX_WIDTH = 48
# A workbook made from the same report is the same file: openpyxl stamps these.
FIXED_TIME = dt.datetime(2020, 1, 1)


def report_title(t: Translator, report: Report) -> str:
    return t(f"report-title-{report.name}")


def scope_line(t: Translator, report: Report) -> str:
    parts = [report.school]
    if report.class_name:
        parts.append(t("report-class", klass=report.class_name))
    if report.period:
        parts.append(report.period)
    if report.date_from and report.date_to:
        parts.append(f"{report.date_from:%d.%m.%Y}–{report.date_to:%d.%m.%Y}")
    parts.append(t("report-made-on", date=f"{report.made_on:%d.%m.%Y}"))
    return " · ".join(parts)


def column_label(t: Translator, column: Column) -> str:
    return column.label or t(f"report-col-{column.key}")


def cell_value(t: Translator, column: Column, value: Any) -> Any:
    if column.kind == Kind.MARK and isinstance(value, str):
        return t(f"report-mark-{value}")
    return value


def sheet_title(t: Translator, sheet: Sheet, taken: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", " ", t(f"report-sheet-{sheet.key}"))[:31] or sheet.key
    base, n = title, 2
    while title in taken:
        title = f"{base[:28]} {n}"
        n += 1
    taken.add(title)
    return title


def render_xlsx(report: Report, t: Translator) -> bytes:
    from openpyxl import Workbook  # lazily: only the reports need it

    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for sheet in report.sheets:
        _sheet(book.create_sheet(sheet_title(t, sheet, taken)), report, sheet, t)
    if not report.sheets:
        book.create_sheet(t(f"report-title-{report.name}")[:31])
    book.properties.creator = report.school
    book.properties.created = book.properties.modified = FIXED_TIME
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(ws: Any, report: Report, sheet: Sheet, t: Translator) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws["A1"] = f"{report_title(t, report)}: {t(f'report-sheet-{sheet.key}')}"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = scope_line(t, report)
    ws["A2"].font = Font(italic=True, color="555555")
    labels = [column_label(t, c) for c in sheet.columns]
    widths = [len(label) for label in labels]
    fill = PatternFill("solid", fgColor="DDE6F0")
    for index, label in enumerate(labels, start=1):
        cell = ws.cell(row=HEADER_ROW, column=index, value=label)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(sheet.rows, start=HEADER_ROW + 1):
        for index, (column, value) in enumerate(zip(sheet.columns, row, strict=True), start=1):
            cell = ws.cell(row=r, column=index, value=cell_value(t, column, value))
            if column.kind in FORMATS:
                cell.number_format = FORMATS[column.kind]
            if column.kind == Kind.MARK:
                cell.alignment = Alignment(horizontal="center")
            shown = cell.value
            size = 10 if isinstance(shown, dt.date) else len(str(shown)) if shown is not None else 0
            widths[index - 1] = max(widths[index - 1], size)
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = min(MAX_WIDTH, width + 2)
    # Rows below the header scroll; the header and the first (naming) column stay.
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=2)
    if sheet.rows:
        ws.auto_filter.ref = (f"A{HEADER_ROW}:{get_column_letter(len(sheet.columns))}"
                              f"{HEADER_ROW + len(sheet.rows)}")
    if sheet.chart is not None and sheet.rows:
        _chart(ws, sheet, t)


def _chart(ws: Any, sheet: Sheet, t: Translator) -> None:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.utils import get_column_letter

    assert sheet.chart is not None
    chart = BarChart()
    chart.type = "col"
    chart.title = t(f"report-chart-{sheet.chart.title_key}")
    chart.height, chart.width = 9, max(16, min(40, len(sheet.rows) * 1.2))
    last = HEADER_ROW + len(sheet.rows)
    for index in sheet.chart.value_columns:
        data = Reference(ws, min_col=index + 1, min_row=HEADER_ROW, max_row=last)
        chart.add_data(data, titles_from_data=True)
    cats = sheet.chart.category_columns
    chart.set_categories(Reference(ws, min_col=min(cats) + 1, max_col=max(cats) + 1,
                                   min_row=HEADER_ROW + 1, max_row=last))
    if all(sheet.columns[i].kind == Kind.SHARE for i in sheet.chart.value_columns):
        chart.y_axis.number_format = "0%"
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
    anchor = get_column_letter(len(sheet.columns) + 2)
    ws.add_chart(chart, f"{anchor}{HEADER_ROW}")
