"""Link codes as screens: the classes one may issue for, a class (bulk re-issue, asked
first when unused codes would stop working, or one person's code), the printable slips as
a PDF document, and staff codes (a new colleague, or replacing a colleague's chat)."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from html import escape

from screens.base import Button, Document, Screen, grid, layout
from screens.code_slips import class_slips_pdf
from screens.i18n import Translator
from screens.nav import MenuArea, MenuCb, menu_button
from screens.payloads import Payload
from services import clock
from services.codes import IssuedCode
from services.rosters import RosterStudent


class CodeStep(enum.StrEnum):
    CLASS = "c"  # the class: how many unused codes, bulk or one
    BULK = "b"  # a bulk re-issue: asks first when unused codes would stop working
    SURE = "y"  # the bulk re-issue, confirmed
    ONE = "o"  # choose the student


class CodeFor(enum.StrEnum):
    CHOOSE = ""  # whom: the student or one of their guardians
    STUDENT = "s"
    GUARDIAN = "g"


@dataclass(frozen=True)
class CodesCb(Payload, prefix="cd"):
    class_id: int
    v: CodeStep = CodeStep.CLASS


@dataclass(frozen=True)
class OneCodeCb(Payload, prefix="c1"):
    s: int  # student id
    k: CodeFor = CodeFor.CHOOSE
    g: int = 0  # the named guardian (0: a guardian code naming nobody)


@dataclass(frozen=True)
class StaffCodeCb(Payload, prefix="cs2"):
    staff_id: int  # 0: the list of colleagues
    r: bool = False  # replace that colleague's live chat
    sure: bool = False


def _button(text: str, payload: Payload) -> Button:
    return Button(text, payload.pack())


def _back(t: Translator, payload: Payload) -> Button:
    return _button(t("btn-back"), payload)


def hours_left(code: IssuedCode) -> int:
    return round((code.expires_at - clock.now()).total_seconds() / 3600)


# --- class codes ---------------------------------------------------------------------------


def classes(t: Translator, found: Sequence[tuple[int, str]], *, staff_codes: bool) -> Screen:
    """The classes one may issue codes for (button texts are plain: names as they are)."""
    buttons = [_button(name, CodesCb(class_id)) for class_id, name in found]
    sizes = grid(len(found), 4)
    if staff_codes:
        buttons.append(_button(t("codes-staff"), StaffCodeCb(0)))
        sizes.append(1)
    return Screen(t("codes-choose-class"), layout([*buttons, menu_button(t)], *sizes, 1))


def klass(t: Translator, class_id: int, unused: int) -> Screen:
    return Screen(t("codes-class", count=unused), layout([
        _button(t("codes-bulk"), CodesCb(class_id, CodeStep.BULK)),
        _button(t("codes-one"), CodesCb(class_id, CodeStep.ONE)),
        Button(t("btn-back"), MenuCb(MenuArea.CODES).pack()),
    ], 1))


def bulk_confirm(t: Translator, class_id: int, unused: int) -> Screen:
    return Screen(t("codes-bulk-confirm", count=unused), layout([
        _button(t("codes-bulk-sure"), CodesCb(class_id, CodeStep.SURE)),
        _back(t, CodesCb(class_id)),
    ], 1))


def class_slips(t: Translator, bot_username: str, class_id: int, class_name: str,
                timezone: str, issued: Sequence[IssuedCode]) -> Document:
    """The class's slips; the PDF is drawn by the edge after the commit."""
    return Document(
        partial(class_slips_pdf, issued, class_name, t, bot_username, timezone),
        f"codes-{class_id}.pdf",
        t("codes-issued", klass=escape(class_name), count=len(issued),
          hours=hours_left(issued[0]) if issued else 0))


# --- one person's code ---------------------------------------------------------------------


def pick_student(t: Translator, class_id: int, students: Sequence[RosterStudent]) -> Screen:
    buttons = [_button(s.name, OneCodeCb(s.student_id)) for s in students]
    return Screen(t("codes-one-choose"),
                  layout([*buttons, _back(t, CodesCb(class_id))],
                         *grid(len(students), 2), 1))


def whom(t: Translator, student: RosterStudent) -> Screen:
    s = student.student_id
    buttons = [_button(t("codes-one-guardian", name=name), OneCodeCb(s, CodeFor.GUARDIAN, g))
               for g, name in student.guardians]
    buttons += [_button(t("codes-one-unnamed"), OneCodeCb(s, CodeFor.GUARDIAN)),
                _button(t("codes-one-student"), OneCodeCb(s, CodeFor.STUDENT)),
                _back(t, CodesCb(student.class_id, CodeStep.ONE))]
    return Screen(t("codes-one-whom", name=escape(student.name)), layout(buttons, 1))


def one_slip(t: Translator, bot_username: str, timezone: str, code: IssuedCode) -> Document:
    return Document(
        partial(class_slips_pdf, [code], code.class_name or "", t, bot_username, timezone),
        f"code-{code.student_id}.pdf",
        t("codes-one-issued", name=escape(code.guardian_name or code.person_name),
          code=code.code, hours=hours_left(code)))


# --- staff codes ---------------------------------------------------------------------------


def colleagues(t: Translator, people: Sequence[tuple[int, str]], *, replacing: bool) -> Screen:
    buttons = [_button(name, StaffCodeCb(staff_id, r=replacing)) for staff_id, name in people]
    sizes = grid(len(people), 2)
    if not replacing:
        buttons.append(_button(t("codes-staff-replace"), StaffCodeCb(0, r=True)))
        sizes.append(1)
    buttons.append(Button(t("btn-back"), MenuCb(MenuArea.CODES).pack()))
    text = t("codes-staff-replace-choose") if replacing else t("codes-staff-choose")
    return Screen(text, layout(buttons, *sizes, 1))


def replace_confirm(t: Translator, staff_id: int, name: str) -> Screen:
    """Replacing a colleague's chat is asked about first: the old chat loses access."""
    return Screen(t("codes-staff-replace-confirm", name=escape(name)), layout([
        _button(t("codes-staff-replace-sure"), StaffCodeCb(staff_id, r=True, sure=True)),
        _back(t, StaffCodeCb(0, r=True)),
    ], 1))


def staff_code(t: Translator, bot_username: str, code: IssuedCode) -> Screen:
    return Screen(t("codes-staff-issued", name=escape(code.person_name), code=code.code,
                    link=code.deep_link(bot_username), hours=hours_left(code)),
                  ((_back(t, StaffCodeCb(0)),),))
