"""The main menu per role, the active-child switch, /menu and /help."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.replies import show
from screens.i18n import Translator
from services import access, accounts
from services.access import SCHOOL_MANAGERS, AccessDenied, ChildRef, Roles
from services.accounts import AccountInfo
from services.consent import CONSENT_KEEPERS
from services.models import StaffRoleKind

router = Router(name="menu")


class MenuCb(CallbackData, prefix="m"):
    """Opens an area of the bot; views of each area add their own callback data."""

    area: str


class ChildCb(CallbackData, prefix="ch"):
    student_id: int


# Family areas in menu order; each is answered by the handler module of that area.
FAMILY_AREAS = ("marks", "timetable", "homework", "attendance", "forecast", "tests",
                "final", "teachers", "calendar")
STAFF_AREAS = ("today", "classes")
CODE_ISSUERS = SCHOOL_MANAGERS | {StaffRoleKind.CLASS_TEACHER}
CONSENT_VIEWERS = CONSENT_KEEPERS | {StaffRoleKind.CLASS_TEACHER}


def active_child(roles: Roles, account: AccountInfo) -> ChildRef | None:
    """The remembered child if still visible, else the first one."""
    students = roles.family_students
    for child in students:
        if child.student_id == account.active_student_id:
            return child
    return students[0] if students else None


def child_label(t: Translator, child: ChildRef) -> str:
    return t("menu-child", name=child.short_name, klass=child.class_name or "—")


def menu_keyboard(t: Translator, roles: Roles, child: ChildRef | None) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    if child is not None:
        for area in FAMILY_AREAS:
            if area in ("marks", "forecast", "final") and not child.gets_marks:
                continue  # a first-grader gets no marks at all (002 §5.5)
            kb.button(text=t(f"menu-{area}"), callback_data=MenuCb(area=area))
        if len(roles.family_students) > 1:
            kb.button(text=t("menu-switch-child"), callback_data=MenuCb(area="children"))
    if roles.staff is not None:
        for area in STAFF_AREAS:
            kb.button(text=t(f"menu-staff-{area}"), callback_data=MenuCb(area=area))
        if roles.staff.roles & CODE_ISSUERS:
            kb.button(text=t("menu-staff-codes"), callback_data=MenuCb(area="codes"))
        if roles.staff.roles & CONSENT_VIEWERS:
            kb.button(text=t("menu-staff-consents"), callback_data=MenuCb(area="consents"))
    kb.button(text=t("menu-settings"), callback_data=MenuCb(area="settings"))
    kb.adjust(2)
    return kb.as_markup()


def menu_text(t: Translator, roles: Roles, child: ChildRef | None) -> str:
    lines = [t("menu-title")]
    if child is not None:
        lines.append(escape(child_label(t, child)))
    if roles.staff is not None:
        lines.append(t("menu-staff", name=escape(roles.staff.name)))
    return "\n".join(lines)


async def show_menu(target: Message | CallbackQuery, session: AsyncSession,
                    account: AccountInfo, t: Translator) -> None:
    roles = await access.load_roles(session, account.id)
    if roles.is_empty or (not roles.family_students and roles.staff is None):
        if roles.pending_consent:
            text = t("consent-still-pending")
        elif roles.waiting_student is not None:
            # The student's own chat: nothing shown until a guardian has consented.
            text = t("consent-waiting-student", name=escape(roles.waiting_student.short_name))
        else:
            text = t("start-need-code")
        await show(target, text, None)
        return
    child = active_child(roles, account)
    await show(target, menu_text(t, roles, child), menu_keyboard(t, roles, child))


@router.message(Command("menu"))
@router.callback_query(MenuCb.filter(F.area == "menu"))
async def on_menu(target: Message | CallbackQuery, session: AsyncSession, account: AccountInfo,
                  t: Translator) -> None:
    await show_menu(target, session, account, t)


@router.message(Command("help"))
async def on_help(message: Message, t: Translator) -> None:
    await message.answer(t("help-text"))


@router.callback_query(MenuCb.filter(F.area == "children"))
async def on_children(query: CallbackQuery, session: AsyncSession, account: AccountInfo,
                      t: Translator) -> None:
    roles = await access.load_roles(session, account.id)
    kb = InlineKeyboardBuilder()
    for child in roles.family_students:
        mark = "✅ " if child.student_id == account.active_student_id else ""
        kb.button(text=mark + child_label(t, child),
                  callback_data=ChildCb(student_id=child.student_id))
    kb.button(text=t("btn-menu"), callback_data=MenuCb(area="menu"))
    kb.adjust(1)
    await show(query, t("menu-choose-child"), kb.as_markup())


@router.callback_query(ChildCb.filter())
async def on_child_chosen(query: CallbackQuery, callback_data: ChildCb, session: AsyncSession,
                          account: AccountInfo, t: Translator) -> None:
    try:
        await accounts.choose_active_student(session, account.id, callback_data.student_id)
    except AccessDenied:
        await query.answer(t("not-available"), show_alert=True)
        return
    account = AccountInfo(account.id, account.telegram_id, account.chat_id, account.locale,
                          callback_data.student_id)
    await show_menu(query, session, account, t)
