"""The school calendar screen of the student's grade: terms with dates, holidays, the
current term and the days left in it."""

from __future__ import annotations

from html import escape

from screens.base import Screen
from screens.format import period_label
from screens.i18n import Translator
from screens.nav import menu_rows
from services.access import StudentAccess
from services.calendar import PeriodInfo
from services.school_calendar import SchoolCalendar


def _span(t: Translator, period: PeriodInfo) -> dict[str, str]:
    return {"name": period_label(t, period), "start": t.date(period.starts_on),
            "end": t.date(period.ends_on)}


def _now(t: Translator, cal: SchoolCalendar) -> list[str]:
    """Where today falls: days left in the term, the holidays, or after the last term."""
    if cal.current is not None and cal.in_term:
        days = cal.days_left or 0
        name = period_label(t, cal.current)
        return [t("calendar-days-left", name=name, days=days) if days
                else t("calendar-last-day", name=name)]
    if cal.holiday_now is not None:
        return [t("calendar-holidays-now", end=t.date(cal.holiday_now.ends_on))]
    if cal.current is not None and cal.current.ends_on < cal.today:
        return [t("calendar-after-term", name=period_label(t, cal.current),
                  end=t.date(cal.current.ends_on))]
    return []


def calendar(t: Translator, granted: StudentAccess, cal: SchoolCalendar) -> Screen:
    lines = [t("calendar-title", klass=escape(granted.child.class_name or "—"))]
    if not cal.terms:
        return Screen("\n".join([*lines, t("calendar-empty")]), menu_rows(t))
    lines += ["", t("calendar-terms-title")]
    for term in cal.terms:
        current = cal.current is not None and term.id == cal.current.id and cal.in_term
        lines.append(t("calendar-term-line-current" if current else "calendar-term-line",
                       **_span(t, term)))
    if cal.year is not None:
        lines.append(t("calendar-year-line", **_span(t, cal.year)))
    if cal.holidays:
        lines += ["", t("calendar-holidays-title")]
        for rest in cal.holidays:
            now = cal.holiday_now is not None and rest.id == cal.holiday_now.id
            lines.append(t("calendar-holiday-line-current" if now else "calendar-holiday-line",
                           **_span(t, rest)))
    lines += ["", *_now(t, cal)]
    return Screen("\n".join(lines), menu_rows(t))
