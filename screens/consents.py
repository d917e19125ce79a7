"""Consents for staff as screens: the classes, a class's picture (linked, consented,
refused and so on paper, waiting; paged), and the steps of recording a signed paper form:
the student, the guardian who signed, the decision, then the form's number and date."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from screens.base import Button, Screen, grid, layout
from screens.i18n import Translator
from screens.nav import MenuArea, MenuCb, menu_button, paginate
from screens.payloads import Payload
from services.consent import PaperDecision
from services.consent_report import ClassConsent, Person, Status
from services.rosters import RosterStudent


class Step(enum.StrEnum):
    REPORT = "r"  # the class picture
    STUDENTS = "l"  # pick a student to record a form for
    GUARDIANS = "s"  # pick the guardian who signed
    DECISION = "g"  # consent or refusal
    FORM = "d"  # then type the form's number and date


@dataclass(frozen=True)
class FormCb(Payload, prefix="cf"):
    v: Step
    c: int = 0  # class id
    s: int = 0  # student id
    g: int = 0  # guardian id
    given: bool = False


def _go(text: str, payload: FormCb) -> Button:
    return Button(text, payload.pack())


def _date(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def classes(t: Translator, found: Sequence[tuple[int, str]]) -> Screen:
    buttons = [_go(name, FormCb(Step.REPORT, c=class_id)) for class_id, name in found]
    return Screen(t("consents-choose-class"),
                  layout([*buttons, menu_button(t)], *grid(len(found), 4), 1))


# --- the class picture ---------------------------------------------------------------------


def _person_line(t: Translator, person: Person) -> str:
    who = escape(person.name) if person.name else t("consents-unnamed-chat")
    details = ""
    if person.source == "paper" and person.form_number:
        details = t("consents-form", number=escape(person.form_number),
                    date=_date(person.decided_on))
    linked = t("consents-linked") if person.linked else ""
    return t(f"consents-status-{person.status.value}", who=who, linked=linked,
             details=details)


def report_lines(t: Translator, report: ClassConsent) -> list[str]:
    lines = []
    for student in report.students:
        own = t(f"consents-own-{student.own_link.value}")
        lines.append(f"<b>{escape(student.name)}</b>{own}")
        lines += [f"  {_person_line(t, p)}" for p in student.people]
    return lines


def report(t: Translator, found: ClassConsent) -> list[Screen]:
    """The picture: a long class takes several messages; the last one has the buttons and
    replaces the view pressed."""
    header = t("consents-title", klass=escape(found.class_name), version=found.version,
               linked=found.linked, people=found.people,
               consented=found.count(Status.CONSENTED), refused=found.count(Status.REFUSED),
               waiting=found.count(Status.WAITING))
    pages = paginate(report_lines(t, found), header=header)
    rows = layout([_go(t("consents-record"), FormCb(Step.STUDENTS, c=found.class_id)),
                   Button(t("btn-back"), MenuCb(MenuArea.CONSENTS).pack())], 1)
    return [*(Screen(page, new=True) for page in pages[:-1]), Screen(pages[-1], rows)]


# --- recording a paper form ----------------------------------------------------------------


def students(t: Translator, found: ClassConsent) -> Screen:
    c = found.class_id
    buttons = [_go(x.name, FormCb(Step.GUARDIANS, c=c, s=x.student_id))
               for x in found.students]
    return Screen(t("consents-choose-student"),
                  layout([*buttons, _go(t("btn-back"), FormCb(Step.REPORT, c=c))],
                         *grid(len(found.students), 2), 1))


def guardians(t: Translator, student: RosterStudent) -> Screen:
    c, s = student.class_id, student.student_id
    buttons = [_go(name, FormCb(Step.DECISION, c=c, s=s, g=g))
               for g, name in student.guardians]
    return Screen(t("consents-choose-guardian", name=escape(student.name)),
                  layout([*buttons, _go(t("btn-back"), FormCb(Step.STUDENTS, c=c))], 1))


def decision(t: Translator, student: RosterStudent, guardian_id: int,
             guardian: str) -> Screen:
    c, s = student.class_id, student.student_id
    buttons = [_go(t("consents-given" if given else "consents-refused"),
                   FormCb(Step.FORM, c=c, s=s, g=guardian_id, given=given))
               for given in (True, False)]
    return Screen(t("consents-choose-decision", guardian=escape(guardian),
                    name=escape(student.name)),
                  layout([*buttons, _go(t("btn-back"), FormCb(Step.GUARDIANS, c=c, s=s))],
                         1))


def ask_form(t: Translator) -> Screen:
    return Screen(t("consents-ask-form"))


def form_bad(t: Translator) -> Screen:
    return Screen(t("consent-form-bad"))


def recorded(t: Translator, result: PaperDecision, class_id: int) -> Screen:
    return Screen(
        t("consents-recorded", decision=result.decision.value,
          guardian=escape(result.guardian_name), name=escape(result.student.short_name),
          number=escape(result.form_number), date=_date(result.signed_on),
          version=result.version),
        ((_go(t("btn-back"), FormCb(Step.REPORT, c=class_id)),),))
