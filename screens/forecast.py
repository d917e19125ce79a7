"""The term forecast screen: per subject the average, the period mark it rounds to, and
what it takes to go up or what would pull it down."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from screens.base import Button, Screen
from screens.format import average_text, mark_text, period_label
from screens.i18n import Translator
from screens.nav import menu_button, menu_rows, paginate
from screens.payloads import Payload
from services import forecast
from services.access import StudentAccess


@dataclass(frozen=True)
class ForecastCb(Payload, prefix="fc"):
    s: int  # student id


@dataclass(frozen=True)
class ForecastYearCb(Payload, prefix="fy"):
    """The forecast for the school year (000 §4.2, 001 §4)."""

    s: int  # student id


def subject_lines(t: Translator, f: forecast.SubjectForecast) -> list[str]:
    subject = escape(f.subject)
    if f.average is None or f.forecast is None:
        return [t("forecast-line-empty", subject=subject)]
    lines = [t("forecast-line", subject=subject, average=average_text(t, f.average),
               forecast=mark_text(t, f.forecast, None), count=f.marks)]
    if f.target is not None:
        if f.need is not None:
            lines.append(t("forecast-need", n=f.need, target=f.target, weight=f.weight))
        else:
            lines.append(t("forecast-out-of-reach", target=f.target))
    if f.risk is not None and f.risk_target is not None:
        lines.append(t("forecast-risk", n=f.risk, target=f.risk_target))
    return lines


def first_grade(t: Translator, granted: StudentAccess) -> Screen:
    """A first-grader gets no marks, so no forecast (002 §5.5)."""
    return Screen(t("forecast-first-grade", name=escape(granted.child.first_name)),
                  menu_rows(t))


def student(t: Translator, granted: StudentAccess, view: forecast.StudentForecast, *,
            year: bool = False) -> Screen:
    child = granted.child
    s = child.student_id
    # The term forecast leads to the year's, and back.
    switch = (Button(t("forecast-btn-term"), ForecastCb(s).pack()) if year
              else Button(t("forecast-btn-year"), ForecastYearCb(s).pack()))
    buttons = ((switch,), (menu_button(t),))
    header = t("forecast-title", name=escape(child.short_name),
               klass=escape(child.class_name or "—"))
    if view.period is None:
        return Screen(f"{header}\n{t('forecast-no-period')}", buttons)
    header += "\n" + t("forecast-period", period=period_label(t, view.period),
                       end=t.date(view.period.ends_on))
    lines = [line for f in view.subjects for line in subject_lines(t, f)]
    if not view.subjects:
        lines = [t("forecast-empty")]
    lines.append(t("forecast-footnote"))
    return Screen(paginate(lines, header)[0], buttons)
