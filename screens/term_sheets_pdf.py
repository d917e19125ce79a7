"""A term sheet (ведомость) as a printable landscape A4 PDF: students down, subjects
across, the period marks in the cells."""

from __future__ import annotations

from screens.extracts_pdf import SANS, new_pdf, table
from screens.i18n import Translator
from screens.reports_xlsx import cell_value, column_label, report_title, scope_line
from services.reports.base import Report

PAGE_W = 297 - 24  # landscape A4 within the margins
NAME_W = 58
NUMBER_W = 8


def render_term_sheet_pdf(report: Report, t: Translator) -> bytes:
    pdf = new_pdf(report_title(t, report), orientation="L")
    for sheet in report.sheets:
        pdf.add_page()
        pdf.set_font(SANS, "B", 13)
        pdf.cell(0, 7, f"{report_title(t, report)}: {t(f'report-sheet-{sheet.key}')}",
                 new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(SANS, "", 9)
        pdf.cell(0, 5, scope_line(t, report), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        subjects = len(sheet.columns) - 2
        mark_w = (PAGE_W - NAME_W - NUMBER_W) / max(1, subjects)
        head = [column_label(t, c) for c in sheet.columns]
        body = [["" if v is None else str(cell_value(t, c, v))
                 for c, v in zip(sheet.columns, row, strict=True)] for row in sheet.rows]
        table(pdf, head, body, (NUMBER_W, NAME_W, *([mark_w] * subjects)),
              size=7 if subjects > 12 else 8)
    if not report.sheets:
        pdf.add_page()
    return bytes(pdf.output())
