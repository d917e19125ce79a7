"""Link codes in the bot: a class teacher (or a clerk or admin) gets a class's codes as
printable slips."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.family import refuse
from handlers.menu import MenuCb
from handlers.replies import show
from services import linking
from services.access import AccessDenied
from services.accounts import AccountInfo
from services.i18n import Translator
from services.slips import class_slips_pdf

router = Router(name="codes")


class CodesCb(CallbackData, prefix="cd"):
    class_id: int


@router.callback_query(MenuCb.filter(F.area == "codes"))
async def on_codes(query: CallbackQuery, session: AsyncSession, account: AccountInfo,
                   t: Translator) -> None:
    classes = await linking.code_classes(session, account.id)
    if not classes:
        await refuse(query, t)
        return
    kb = InlineKeyboardBuilder()
    for class_id, name in classes:
        kb.button(text=name, callback_data=CodesCb(class_id=class_id))
    kb.button(text=t("btn-menu"), callback_data=MenuCb(area="menu"))
    kb.adjust(4, 1)
    await show(query, t("codes-choose-class"), kb.as_markup())


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
            caption=t("codes-issued", klass=name, count=len(issued)),
        )
