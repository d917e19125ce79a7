"""Link codes in the bot: a class teacher (or a clerk or admin) gets a class's codes as
printable slips."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from handlers._legacy import grid, refuse, show
from handlers.replies import On
from screens.code_slips import class_slips_pdf
from screens.i18n import Translator
from screens.nav import MenuCb
from services import clock, linking
from services.access import AccessDenied
from services.accounts import AccountInfo

router = Router(name="codes")


class CodesCb(CallbackData, prefix="cd"):
    class_id: int


class StaffCodeCb(CallbackData, prefix="cs2"):
    staff_id: int  # 0: the list of colleagues


@router.callback_query(On(MenuCb, area="codes"))
async def on_codes(query: CallbackQuery, session: AsyncSession, account: AccountInfo,
                   t: Translator) -> None:
    classes = await linking.code_classes(session, account.id)
    if not classes:
        await refuse(query, t)
        return
    kb = InlineKeyboardBuilder()
    for class_id, name in classes:
        kb.button(text=name, callback_data=CodesCb(class_id=class_id))
    rows = grid(len(classes), 4)
    if await linking.staff_without_account(session, account.id):
        kb.button(text=t("codes-staff"), callback_data=StaffCodeCb(staff_id=0))
        rows.append(1)
    kb.button(text=t("btn-menu"), callback_data=MenuCb(area="menu").pack())
    kb.adjust(*rows, 1)
    await show(query, t("codes-choose-class"), kb.as_markup())


@router.callback_query(StaffCodeCb.filter(F.staff_id == 0))
async def on_staff_list(query: CallbackQuery, session: AsyncSession, account: AccountInfo,
                        t: Translator) -> None:
    colleagues = await linking.staff_without_account(session, account.id)
    if not colleagues:
        await refuse(query, t)
        return
    kb = InlineKeyboardBuilder()
    for staff_id, name in colleagues:
        kb.button(text=name, callback_data=StaffCodeCb(staff_id=staff_id))
    kb.button(text=t("btn-back"), callback_data=MenuCb(area="codes").pack())
    kb.adjust(2)
    await show(query, t("codes-staff-choose"), kb.as_markup())


@router.callback_query(StaffCodeCb.filter())
async def on_staff_code(query: CallbackQuery, callback_data: StaffCodeCb,
                        session: AsyncSession, account: AccountInfo, t: Translator,
                        bot_username: str) -> None:
    try:
        code = await linking.issue_staff_code_as(session, account.id, callback_data.staff_id)
    except AccessDenied:
        await refuse(query, t)
        return
    kb = InlineKeyboardBuilder()
    kb.button(text=t("btn-back"), callback_data=StaffCodeCb(staff_id=0))
    await show(query, t("codes-staff-issued", name=escape(code.person_name), code=code.code,
                        link=code.deep_link(bot_username), hours=_hours_left(code)),
               kb.as_markup())


def _hours_left(code: linking.IssuedCode) -> int:
    return round((code.expires_at - clock.now()).total_seconds() / 3600)


@router.callback_query(CodesCb.filter())
async def on_class_codes(query: CallbackQuery, callback_data: CodesCb, session: AsyncSession,
                         account: AccountInfo, t: Translator, bot_username: str) -> None:
    try:
        name, tz, issued = await linking.issue_class_codes(session, account.id,
                                                           callback_data.class_id)
    except AccessDenied:
        await refuse(query, t)
        return
    await query.answer()
    pdf = class_slips_pdf(issued, name, t, bot_username, tz)
    if isinstance(query.message, Message):
        await query.message.answer_document(
            BufferedInputFile(pdf, filename=f"codes-{callback_data.class_id}.pdf"),
            caption=t("codes-issued", klass=name, count=len(issued),
                      hours=_hours_left(issued[0]) if issued else 0),
        )
