"""Printable slips with one-time link codes: one A4 PDF per class, cut along the dashed lines.

Only layout lives here; every visible word comes from the caller (the app localises with
Fluent). Cyrillic needs a Unicode TTF, so the DejaVu fonts bundled with matplotlib are used.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, cast
from zoneinfo import ZoneInfo

import segno

from screens.i18n import Translator
from services.codes import IssuedCode

if TYPE_CHECKING:
    from fpdf import FPDF


@dataclass(frozen=True)
class Slip:
    student_name: str
    class_name: str
    kind: str  # "guardian" or "student": who the code is for
    code: str  # as printed, e.g. "K7QM5-X3PD9"
    deep_link: str  # https://t.me/<bot>?start=<code without dashes>
    expires_at_text: str  # already formatted, e.g. "26.11.2026 12:00"
    recipient: str | None = None  # a named guardian's code: "For: <name>"


@dataclass(frozen=True)
class SlipLabels:
    for_guardian: str
    for_student: str
    code: str
    expires: str
    instruction: str


# Geometry in millimetres; A4 portrait is 210 x 297. Eight slips (2 x 4) per page keep a
# slip the size of a large business card: enough for a 30 mm QR code next to the texts.
PAGE_W, PAGE_H = 210.0, 297.0
MARGIN_X = 10.0
GRID_TOP = 20.0
MARGIN_BOTTOM = 8.0
COLUMNS, ROWS = 2, 4
SLIPS_PER_PAGE = COLUMNS * ROWS
CELL_W = (PAGE_W - 2 * MARGIN_X) / COLUMNS
CELL_H = (PAGE_H - GRID_TOP - MARGIN_BOTTOM) / ROWS
INSET = 2.5  # the framed slip sits inside its cell, so a crooked cut never touches the text
PAD = 3.5
QR_SIZE = 30.0
GAP = 3.5
PT = 25.4 / 72  # millimetres per typographic point

# A fixed creation date (and hence file id) makes the same input produce the same bytes.
FIXED_DATE = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)

SANS, MONO = "DejaVuSans", "DejaVuSansMono"
INK, MUTED, RULE = (20, 20, 20), (95, 95, 95), (150, 150, 150)
SCISSORS = "\u2702"


@lru_cache(maxsize=1)
def _font_dir() -> Path:
    # Imported lazily: matplotlib pulls in numpy, and only its bundled fonts are needed.
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def slip_pages(count: int) -> int:
    """Pages needed for `count` slips (an empty list still yields one page with the title)."""
    return max(1, math.ceil(count / SLIPS_PER_PAGE))


def render_slips_pdf(slips: Sequence[Slip], *, title: str, labels: SlipLabels) -> bytes:
    """A4 PDF with `title` on every page and SLIPS_PER_PAGE framed slips per page."""
    from fpdf import FPDF  # lazily: fpdf with fontTools and Pillow is slow to import

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(title)
    pdf.set_auto_page_break(False)  # positions are absolute; never let fpdf add pages
    pdf.set_margins(0, 0, 0)
    pdf.c_margin = 0  # cells start exactly where they are placed
    fonts = _font_dir()
    pdf.add_font(SANS, "", fonts / "DejaVuSans.ttf")
    pdf.add_font(SANS, "B", fonts / "DejaVuSans-Bold.ttf")
    pdf.add_font(MONO, "B", fonts / "DejaVuSansMono-Bold.ttf")

    pages = slip_pages(len(slips))
    for page in range(pages):
        chunk = slips[page * SLIPS_PER_PAGE:(page + 1) * SLIPS_PER_PAGE]
        pdf.add_page()
        _header(pdf, title, page + 1, pages)
        _cut_lines(pdf, len(chunk))
        for index, slip in enumerate(chunk):
            row, column = divmod(index, COLUMNS)
            _slip(pdf, slip, labels, MARGIN_X + column * CELL_W, GRID_TOP + row * CELL_H)
    return bytes(pdf.output())


def _header(pdf: FPDF, title: str, page: int, pages: int) -> None:
    counter = f"{page}/{pages}"
    pdf.set_font(SANS, "", 9)
    counter_w = pdf.get_string_width(counter)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(PAGE_W - MARGIN_X - counter_w, 8)
    pdf.cell(counter_w, 7, counter, align="R")
    width = PAGE_W - 2 * MARGIN_X - counter_w - 5
    _fit(pdf, title, SANS, "B", 14, 9, width)
    pdf.set_text_color(*INK)
    pdf.set_xy(MARGIN_X, 8)
    pdf.cell(width, 7, _ellipsize(pdf, title, width))


def _cut_lines(pdf: FPDF, count: int) -> None:
    """Dashed lines around the used cells, each shared edge drawn once in one direction so
    the dashes of neighbouring slips do not overlap into a dotted mess."""
    edges: set[tuple[float, float, float, float]] = set()
    for index in range(count):
        row, column = divmod(index, COLUMNS)
        x0, y0 = MARGIN_X + column * CELL_W, GRID_TOP + row * CELL_H
        x1, y1 = x0 + CELL_W, y0 + CELL_H
        edges |= {(x0, y0, x1, y0), (x0, y1, x1, y1), (x0, y0, x0, y1), (x1, y0, x1, y1)}
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2)
    pdf.set_dash_pattern(dash=2, gap=1.5)
    for x0, y0, x1, y1 in sorted(edges):
        pdf.line(x0, y0, x1, y1)
    pdf.set_dash_pattern()
    # A scissors mark at the left end of every horizontal cut, in the page margin.
    pdf.set_font(SANS, "", 10)
    pdf.set_text_color(*RULE)
    for y in sorted({y0 for x0, y0, x1, y1 in edges if y0 == y1 and x0 == MARGIN_X}):
        pdf.set_xy(MARGIN_X - 5, y - 2.5)
        pdf.cell(5, 5, SCISSORS, align="C")


def _slip(pdf: FPDF, slip: Slip, labels: SlipLabels, cell_x: float, cell_y: float) -> None:
    box_x, box_y = cell_x + INSET, cell_y + INSET
    box_w, box_h = CELL_W - 2 * INSET, CELL_H - 2 * INSET
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.3)
    pdf.rect(box_x, box_y, box_w, box_h, round_corners=True, corner_radius=2)

    x, y = box_x + PAD, box_y + PAD
    width = box_w - 2 * PAD
    bottom = box_y + box_h - PAD

    # Who the slip belongs to: the child's name (bold) with the class on the right.
    _fit(pdf, slip.class_name, SANS, "B", 12, 8, 30)
    class_text = _ellipsize(pdf, slip.class_name, 30)
    class_size, class_w = pdf.font_size_pt, pdf.get_string_width(class_text)
    name_w = width - class_w - 4
    _fit(pdf, slip.student_name, SANS, "B", 12, 7.5, name_w)
    pdf.set_text_color(*INK)
    pdf.set_xy(x, y)
    pdf.cell(name_w, 6, _ellipsize(pdf, slip.student_name, name_w))
    pdf.set_font(SANS, "B", class_size)
    pdf.set_xy(x + width - class_w, y)
    pdf.cell(class_w, 6, class_text, align="R")

    recipient = (slip.recipient or _recipient(slip.kind, labels))
    _fit(pdf, recipient, SANS, "", 9, 7, width)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(x, y + 6.5)
    pdf.cell(width, 4.5, _ellipsize(pdf, recipient, width))

    rule_y = y + 12.5
    pdf.set_line_width(0.2)
    pdf.line(x, rule_y, x + width, rule_y)

    # QR on the right; the blank frame around it (about four modules) is its quiet zone.
    body_y = rule_y + 3.5
    qr_x = x + width - QR_SIZE
    pdf.image(_qr_png(slip.deep_link), x=qr_x, y=body_y, w=QR_SIZE, h=QR_SIZE)

    text_w = width - QR_SIZE - GAP
    pdf.set_font(SANS, "", 8)
    pdf.set_xy(x, body_y)
    pdf.cell(text_w, 4, _ellipsize(pdf, labels.code, text_w))
    _fit(pdf, slip.code, MONO, "B", 18, 10, text_w)
    pdf.set_text_color(*INK)
    pdf.set_xy(x, body_y + 4.5)
    pdf.cell(text_w, 9, slip.code)

    expiry = f"{labels.expires} {slip.expires_at_text}".strip()
    _fit(pdf, expiry, SANS, "B", 8, 6.5, text_w)
    pdf.set_xy(x, body_y + 14.5)
    pdf.cell(text_w, 4, _ellipsize(pdf, expiry, text_w))

    pdf.set_text_color(*MUTED)
    _paragraph(pdf, labels.instruction, x, body_y + 19.5, text_w, body_y + QR_SIZE + 0.5)

    # The link as text (and clickable, for slips sent as a file rather than printed).
    link_h = 4.0
    _fit(pdf, slip.deep_link, MONO, "B", 7, 4.5, width)
    pdf.set_text_color(*INK)
    pdf.set_xy(x, bottom - link_h)
    pdf.cell(width, link_h, slip.deep_link, link=slip.deep_link)


def _recipient(kind: str, labels: SlipLabels) -> str:
    # Fail loudly: a slip that names the wrong recipient is worse than no slip.
    if kind == "guardian":
        return labels.for_guardian
    if kind == "student":
        return labels.for_student
    raise ValueError(f"unknown slip kind {kind!r}")


def _paragraph(pdf: FPDF, text: str, x: float, y: float, width: float, bottom: float) -> None:
    """Wrapped text that must end above `bottom`: shrink first, cut the last line if need be."""
    if not text:
        return
    size = 8.0
    while True:
        pdf.set_font(SANS, "", size)
        line_h = size * PT * 1.2
        wrapped = pdf.multi_cell(width, line_h, text, dry_run=True, output="LINES")
        lines = cast("list[str]", wrapped)
        fits = int((bottom - y) // line_h)
        if len(lines) <= fits or size <= 6:
            break
        size -= 0.5
    if fits <= 0:
        return
    if len(lines) > fits:
        lines = lines[:fits]
        lines[-1] = _ellipsize(pdf, lines[-1] + "…", width)
    for number, line in enumerate(lines):
        pdf.set_xy(x, y + number * line_h)
        pdf.cell(width, line_h, line, new_x="LEFT", new_y="NEXT")


def _fit(pdf: FPDF, text: str, family: str, style: str, size: float, smallest: float,
         width: float) -> None:
    """Select the largest font size (down to `smallest`) at which `text` fits `width`."""
    pdf.set_font(family, style, size)
    while size > smallest and pdf.get_string_width(text) > width:
        size = max(smallest, size - 0.5)
        pdf.set_font(family, style, size)


def _ellipsize(pdf: FPDF, text: str, width: float) -> str:
    """`text` cut to `width` in the current font; a last resort after shrinking."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text.rstrip() + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _qr_png(data: str) -> io.BytesIO:
    # Medium error correction survives a crumpled slip; 5 px modules keep edges crisp even
    # where a viewer or printer smooths the scaled image.
    buffer = io.BytesIO()
    segno.make(data, error="m", micro=False).save(buffer, kind="png", scale=5, border=0)
    buffer.seek(0)
    return buffer


def class_slips_pdf(issued: Sequence[IssuedCode], class_name: str, t: Translator,
                    bot_username: str, timezone: str = "Europe/Moscow") -> bytes:
    tz = ZoneInfo(timezone)
    slips = [
        Slip(student_name=c.person_name, class_name=c.class_name or class_name,
             kind=c.kind.value, code=c.code, deep_link=c.deep_link(bot_username),
             expires_at_text=c.expires_at.astimezone(tz).strftime("%d.%m.%Y %H:%M"),
             recipient=t("slip-for-named", name=c.guardian_name) if c.guardian_name else None)
        for c in issued
    ]
    labels = SlipLabels(for_guardian=t("slip-for-guardian"), for_student=t("slip-for-student"),
                        code=t("slip-code"), expires=t("slip-expires"),
                        instruction=t("slip-instruction", bot=bot_username))
    return render_slips_pdf(slips, title=t("slip-title", klass=class_name), labels=labels)
