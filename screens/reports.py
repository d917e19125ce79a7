"""The staff "reports" area as screens: the list of reports, the class choice, and the
files (XLSX, PDF) as documents drawn after the commit."""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from html import escape

from screens.base import Button, Document, Screen, layout
from screens.base import grid as grid_sizes
from screens.extracts_pdf import render_extracts_pdf
from screens.i18n import Translator
from screens.nav import MenuArea, MenuCb, menu_button
from screens.payloads import Payload
from screens.reports_xlsx import render_xlsx, report_title
from screens.term_sheets_pdf import render_term_sheet_pdf
from services.reports.base import Report
from services.reports.extracts import ClassExtracts
from services.reports.registry import (
    EXTRACTS,
    ClassChoice,
    PeriodChoice,
    ReportName,
    ReportOffer,
)


class ReportsAction(enum.StrEnum):
    CLASSES = "c"  # choose the class (or the whole school) for report `r`
    PERIODS = "p"  # choose the period of report `r` for class `c`
    MAKE = "m"  # make report `r` for class `c` (0: the whole school), period `p`


class ReportChoice(enum.StrEnum):
    PROGRESS = ReportName.PROGRESS.value
    COMPLETION = ReportName.COMPLETION.value
    CURRICULUM = ReportName.CURRICULUM.value
    FINALS = ReportName.FINALS.value
    ACTIVITY = ReportName.ACTIVITY.value
    CONSENTS = ReportName.CONSENTS.value
    TERM_SHEET = ReportName.TERM_SHEET.value
    EXTRACTS = EXTRACTS


@dataclass(frozen=True)
class ReportsCb(Payload, prefix="rp"):
    a: ReportsAction
    r: ReportChoice
    c: int = 0  # class id; 0: the whole school
    p: int = 0  # period id; 0: each class's latest ended term


def choice_title(t: Translator, name: str) -> str:
    return t("reports-btn-extracts") if name == EXTRACTS else t(f"report-title-{name}")


def offer(t: Translator, found: ReportOffer) -> Screen:
    buttons = [Button(choice_title(t, name),
                      ReportsCb(ReportsAction.CLASSES, ReportChoice(name)).pack())
               for name in found.reports]
    return Screen(t("reports-choose"), layout([*buttons, menu_button(t)], 1))


def classes(t: Translator, found: ClassChoice, *, by_period: bool) -> Screen:
    choice = ReportChoice(found.name)
    action = ReportsAction.PERIODS if by_period else ReportsAction.MAKE
    buttons = []
    if found.school_wide:
        buttons.append(Button(t("reports-whole-school"), ReportsCb(action, choice, 0).pack()))
    buttons += [Button(name, ReportsCb(action, choice, class_id).pack())
                for class_id, name in found.classes]
    back = Button(t("btn-back"), MenuCb(MenuArea.REPORTS).pack())
    sizes = [1] if found.school_wide else []
    sizes += grid_sizes(len(found.classes), 4)
    return Screen(t("reports-choose-class", report=escape(choice_title(t, found.name))),
                  layout([*buttons, back], *sizes, 1))


def periods(t: Translator, found: PeriodChoice) -> Screen:
    choice = ReportChoice(found.name)
    buttons = [Button(t("reports-latest-period"),
                      ReportsCb(ReportsAction.MAKE, choice, found.class_id).pack())]
    buttons += [Button(name, ReportsCb(ReportsAction.MAKE, choice, found.class_id,
                                       period_id).pack())
                for period_id, name in found.periods]
    back = Button(t("btn-back"), ReportsCb(ReportsAction.CLASSES, choice).pack())
    return Screen(t("reports-choose-period", report=escape(choice_title(t, found.name))),
                  layout([*buttons, back], 1, *grid_sizes(len(found.periods), 2), 1))


def _scope(t: Translator, report: Report) -> str:
    """The caption's scope, escaped (the caption is HTML; the file itself is not)."""
    return (t("report-class", klass=escape(report.class_name)) if report.class_name
            else escape(report.school))


def _slug(report: Report) -> str:
    return f"{report.name}-{report.class_name or 'school'}-{report.made_on:%Y%m%d}"


def report_documents(t: Translator, report: Report) -> list[Document]:
    """The XLSX, and for a term sheet its printable PDF too; drawn by the edge after the
    commit in a worker thread."""
    caption = t("reports-sent", report=report_title(t, report), scope=_scope(t, report))
    documents = [Document(functools.partial(render_xlsx, report, t), f"{_slug(report)}.xlsx",
                          caption)]
    if report.name == ReportName.TERM_SHEET:
        documents.append(Document(functools.partial(render_term_sheet_pdf, report, t),
                                  f"{_slug(report)}.pdf", caption))
    return documents


def extracts_document(t: Translator, batch: ClassExtracts) -> Document:
    caption = t("extracts-sent", klass=escape(batch.class_name), count=len(batch.extracts),
                **{"from": f"{batch.date_from:%d.%m.%Y}", "to": f"{batch.date_to:%d.%m.%Y}"})
    return Document(functools.partial(render_extracts_pdf, batch, t),
                    f"extracts-{batch.class_name}-{batch.date_to:%Y%m%d}.pdf", caption)
