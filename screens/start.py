"""Linking a chat by code, and a guardian's consent: the request, a refusal asked about
once more, and the answer recorded."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from screens.base import Button, Rows, Screen, layout
from screens.i18n import Translator
from screens.payloads import Payload
from services.access import ChildRef
from services.consent import ConsentTerms


@dataclass(frozen=True)
class ConsentCb(Payload, prefix="cs"):
    student_id: int
    accept: bool
    sure: bool = False  # a refusal is asked about once more before it counts


def _klass(child: ChildRef) -> str:
    return escape(child.class_name) if child.class_name else "—"


def consent_rows(t: Translator, student_id: int, *, confirming: bool = False) -> Rows:
    return layout([
        Button(t("consent-accept"), ConsentCb(student_id, accept=True).pack()),
        Button(t("consent-refuse-sure" if confirming else "consent-refuse"),
               ConsentCb(student_id, accept=False, sure=confirming).pack()),
    ], 1)


def welcome(t: Translator) -> Screen:
    return Screen(t("start-welcome"))


def code_format(t: Translator) -> Screen:
    """Not even the shape of a code: explained, no attempt spent."""
    return Screen(t("link-code-format"))


def consent_request(t: Translator, child: ChildRef, terms: ConsentTerms) -> Screen:
    return Screen(t("consent-request", name=escape(child.short_name), klass=_klass(child),
                    school=escape(terms.school_name), version=terms.version),
                  consent_rows(t, child.student_id))


def refuse_confirm(t: Translator, child: ChildRef) -> Screen:
    return Screen(t("consent-refuse-confirm", name=escape(child.short_name)),
                  consent_rows(t, child.student_id, confirming=True))


def consent_given(t: Translator, child: ChildRef) -> Screen:
    return Screen(t("consent-given", name=escape(child.short_name)))


def consent_refused(t: Translator) -> Screen:
    return Screen(t("consent-refused"))


def waiting_student(t: Translator, child: ChildRef) -> Screen:
    """The student's own chat: linked, nothing shown until a guardian has consented."""
    return Screen(t("consent-waiting-student", name=escape(child.short_name)))


def linked(t: Translator, child: ChildRef) -> Screen:
    return Screen(t("link-ok", name=escape(child.short_name), klass=_klass(child)))


def staff_linked(t: Translator, name: str) -> Screen:
    return Screen(t("link-staff-ok", name=escape(name)))
