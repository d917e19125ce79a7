"""The main menu per role and the child switch."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from screens.base import Button, Screen, layout
from screens.i18n import Translator
from screens.nav import MenuArea, MenuCb, menu_button
from screens.payloads import Payload
from services.access import SCHOOL_MANAGERS, ChildRef, Roles
from services.complaints import HANDLERS as COMPLAINT_HANDLERS
from services.consent import CONSENT_KEEPERS
from services.models import StaffRoleKind
from services.reports.registry import REPORT_ROLES


@dataclass(frozen=True)
class ChildCb(Payload, prefix="ch"):
    student_id: int


# Every command the bot answers, in the order /help and Telegram's command menu list them.
COMMANDS = ("menu", "marks", "timetable", "homework", "attendance", "forecast", "teachers",
            "summary", "messages", "settings", "start", "help")

# Family areas in menu order; each is answered by the handler module of that area.
FAMILY_AREAS = (MenuArea.MARKS, MenuArea.TIMETABLE, MenuArea.HOMEWORK, MenuArea.ATTENDANCE,
                MenuArea.FORECAST, MenuArea.TESTS, MenuArea.FINAL, MenuArea.TEACHERS,
                MenuArea.CALENDAR, MenuArea.WALL, MenuArea.COMPLAINTS)
STAFF_AREAS = (MenuArea.TODAY, MenuArea.CLASSES)
CODE_ISSUERS = SCHOOL_MANAGERS | {StaffRoleKind.CLASS_TEACHER}
CONSENT_VIEWERS = CONSENT_KEEPERS | {StaffRoleKind.CLASS_TEACHER}
_MARK_AREAS = {MenuArea.MARKS, MenuArea.FORECAST, MenuArea.FINAL}


def child_label(t: Translator, child: ChildRef) -> str:
    return t("menu-child", name=child.short_name, klass=child.class_name or "—")


def _area(t: Translator, area: MenuArea, text_id: str) -> Button:
    return Button(t(text_id), MenuCb(area).pack())


def main_menu(t: Translator, roles: Roles, child: ChildRef | None) -> Screen:
    if roles.is_empty or (not roles.family_students and roles.staff is None):
        if roles.pending_consent:
            return Screen(t("consent-still-pending"))
        if roles.waiting_student is not None:
            # The student's own chat: nothing shown until a guardian has consented.
            return Screen(t("consent-waiting-student",
                            name=escape(roles.waiting_student.short_name)))
        return Screen(t("start-need-code"))
    lines = [t("menu-title")]
    buttons: list[Button] = []
    if child is not None:
        lines.append(escape(child_label(t, child)))
        # A first-grader gets no marks at all (002 §5.5).
        buttons += [_area(t, area, f"menu-{area.value}") for area in FAMILY_AREAS
                    if child.gets_marks or area not in _MARK_AREAS]
        buttons.append(_area(t, MenuArea.MESSAGES, "menu-messages"))
        if len(roles.family_students) > 1:
            buttons.append(_area(t, MenuArea.CHILDREN, "menu-switch-child"))
        if len(roles.children) > 1:
            buttons.append(_area(t, MenuArea.SUMMARY, "menu-summary"))
    if roles.staff is not None:
        lines.append(t("menu-staff", name=escape(roles.staff.name)))
        # School-wide staff start from the school's day rather than lessons of their own.
        buttons += [_area(t, area, "menu-staff-school" if area == MenuArea.TODAY
                          and roles.staff.school_wide else f"menu-staff-{area.value}")
                    for area in STAFF_AREAS]
        buttons.append(_area(t, MenuArea.INBOX, "menu-staff-inbox"))
        if not roles.staff.read_only:
            buttons.append(_area(t, MenuArea.NOTICES, "menu-staff-notices"))
            buttons.append(_area(t, MenuArea.POLLS, "menu-staff-polls"))
        if roles.staff.roles & COMPLAINT_HANDLERS:
            buttons.append(_area(t, MenuArea.COMPLAINTS_ADMIN, "menu-staff-complaints"))
        if roles.staff.quick_entry and not roles.staff.read_only:
            buttons.append(_area(t, MenuArea.QUICK, "menu-staff-quick"))
        if roles.staff.roles & CODE_ISSUERS:
            buttons.append(_area(t, MenuArea.CODES, "menu-staff-codes"))
        if roles.staff.roles & CONSENT_VIEWERS:
            buttons.append(_area(t, MenuArea.CONSENTS, "menu-staff-consents"))
        if roles.staff.roles & REPORT_ROLES:
            buttons.append(_area(t, MenuArea.REPORTS, "menu-staff-reports"))
    buttons.append(_area(t, MenuArea.SETTINGS, "menu-settings"))
    return Screen("\n".join(lines), layout(buttons, 2))


def children(t: Translator, roles: Roles, active_student_id: int | None) -> Screen:
    buttons = [Button(("✅ " if c.student_id == active_student_id else "") + child_label(t, c),
                      ChildCb(c.student_id).pack()) for c in roles.family_students]
    return Screen(t("menu-choose-child"), layout([*buttons, menu_button(t)], 1))


def help_screen(t: Translator) -> Screen:
    """/help: every command that works, each with what it does."""
    lines = [t("help-title"), *(t("help-line", command=c, text=t(f"command-{c}"))
                                for c in COMMANDS)]
    return Screen("\n".join(lines), ((menu_button(t),),))
