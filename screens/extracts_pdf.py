"""Paper extracts as one A4 PDF per class: a page (or more) per student with the marks
(work type, weight, the teacher's comment), absences and homework of the date range, and
lines for the class teacher's and the guardian's signatures.

Cyrillic needs a Unicode TTF: the DejaVu fonts bundled with matplotlib are used, so no
system font is assumed. Every label comes from Fluent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from screens.format import mark_text
from screens.i18n import Translator
from services.reports.extracts import ClassExtracts, StudentExtract

if TYPE_CHECKING:
    from fpdf import FPDF

SANS = "DejaVuSans"
FIXED_DATE = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)  # same input, same bytes
INK, MUTED = (20, 20, 20), (95, 95, 95)
HEAD_FILL = (221, 230, 240)


@lru_cache(maxsize=1)
def font_dir() -> Path:
    import matplotlib  # lazily: only its bundled fonts are needed

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def new_pdf(title: str, orientation: str = "P") -> FPDF:
    """An A4 document with DejaVu Sans (regular and bold) and page numbers."""
    from fpdf import FPDF  # lazily: fpdf with fontTools and Pillow is slow to import

    class _Pdf(FPDF):
        def footer(self) -> None:
            self.set_y(-10)
            self.set_font(SANS, "", 8)
            self.set_text_color(*MUTED)
            self.cell(0, 5, f"{self.page_no()}", align="C")

    pdf = _Pdf(orientation=orientation, unit="mm", format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(title)
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(True, margin=14)
    pdf.add_font(SANS, "", font_dir() / "DejaVuSans.ttf")
    pdf.add_font(SANS, "B", font_dir() / "DejaVuSans-Bold.ttf")
    return pdf


def table(pdf: FPDF, head: Sequence[str], body: Sequence[Sequence[str]],
          widths: Sequence[float], size: float = 8.5) -> None:
    from fpdf.fonts import FontFace

    pdf.set_font(SANS, "", size)
    pdf.set_text_color(*INK)
    style = FontFace(emphasis="BOLD", fill_color=HEAD_FILL)
    with pdf.table(col_widths=tuple(widths), headings_style=style, line_height=4.6,
                   text_align="LEFT", padding=1) as grid:
        for values in (head, *body):
            row = grid.row()
            for value in values:
                row.cell(value)


def render_extracts_pdf(batch: ClassExtracts, t: Translator) -> bytes:
    dates = {"from": f"{batch.date_from:%d.%m.%Y}", "to": f"{batch.date_to:%d.%m.%Y}"}
    pdf = new_pdf(t("extract-batch-title", klass=batch.class_name, **dates))
    if not batch.extracts:
        pdf.add_page()
        _heading(pdf, t("extract-batch-title", klass=batch.class_name, **dates))
        pdf.set_font(SANS, "", 11)
        pdf.multi_cell(0, 6, t("extract-empty"))
    for extract in batch.extracts:
        pdf.add_page()
        _extract(pdf, batch, extract, t, dates)
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str, size: float = 14) -> None:
    pdf.set_font(SANS, "B", size)
    pdf.set_text_color(*INK)
    pdf.multi_cell(0, size * 0.5, text)
    pdf.ln(1)


def _section(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(SANS, "B", 11)
    pdf.set_text_color(*INK)
    pdf.cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")


def _none(pdf: FPDF, t: Translator) -> None:
    pdf.set_font(SANS, "", 9)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 5, t("extract-none"), new_x="LMARGIN", new_y="NEXT")


def _extract(pdf: FPDF, batch: ClassExtracts, e: StudentExtract, t: Translator,
             dates: dict[str, str]) -> None:
    _heading(pdf, t("extract-title"))
    pdf.set_font(SANS, "", 10)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 5, batch.school_name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font(SANS, "B", 11)
    pdf.cell(0, 6, t("extract-student", name=e.student), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(SANS, "", 10)
    pdf.cell(0, 5, f"{t('extract-class', klass=e.class_name)} · {t('extract-range', **dates)}",
             new_x="LMARGIN", new_y="NEXT")

    _section(pdf, t("extract-marks"))
    if e.marks:
        table(pdf, [t("extract-col-date"), t("extract-col-subject"), t("extract-col-mark"),
                    t("extract-col-work"), t("extract-col-comment")],
              [[f"{m.date:%d.%m}", m.subject, mark_text(t, m.value, m.passed),
                m.work_type + (f" ({t('extract-weight', weight=m.weight)})"
                               if m.weight > 1 else ""), m.comment or ""]
               for m in e.marks], (14, 40, 18, 50, 64))
    else:
        _none(pdf, t)

    _section(pdf, t("extract-absences"))
    if e.absences:
        table(pdf, [t("extract-col-date"), t("extract-col-lesson"), t("extract-col-subject"),
                    t("extract-col-kind")],
              [[f"{a.date:%d.%m}", str(a.slot), a.subject,
                t("extract-late-minutes", minutes=a.minutes_late)
                if a.kind == "late" and a.minutes_late else t(f"extract-kind-{a.kind}")]
               for a in e.absences], (14, 16, 60, 96))
    else:
        _none(pdf, t)

    _section(pdf, t("extract-homework"))
    if e.homework:
        table(pdf, [t("extract-col-due"), t("extract-col-subject"), t("extract-col-task")],
              [[f"{h.due_on:%d.%m}", h.subject, h.text] for h in e.homework], (14, 40, 132))
    else:
        _none(pdf, t)

    pdf.ln(8)
    pdf.set_font(SANS, "", 10)
    pdf.cell(0, 6, t("extract-teacher-sign", name=e.class_teacher), new_x="LMARGIN",
             new_y="NEXT")
    pdf.ln(2)
    pdf.cell(0, 6, t("extract-guardian-sign"), new_x="LMARGIN", new_y="NEXT")
