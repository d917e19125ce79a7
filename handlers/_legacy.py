"""TEMPORARY: the old reply helpers, kept only until every area returns screens."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from screens.base import grid as grid
from screens.i18n import Translator
from screens.nav import paginate as paginate
from services import access
from services.access import StudentAccess
from services.accounts import AccountInfo
from services.errors import AccessDenied, NotLinked

LIMIT = 4096


async def show(target: Message | CallbackQuery, text: str,
               markup: InlineKeyboardMarkup | None = None) -> None:
    if isinstance(target, CallbackQuery):
        await target.answer()
        message = target.message
        if isinstance(message, Message):
            if message.text is not None:
                try:
                    await message.edit_text(text, reply_markup=markup)
                except TelegramBadRequest as error:
                    if "message is not modified" not in error.message:
                        raise
                return
            await message.answer(text, reply_markup=markup)
        return
    await target.answer(text, reply_markup=markup)


async def refuse(target: Message | CallbackQuery, t: Translator) -> None:
    if isinstance(target, CallbackQuery):
        await target.answer(t("not-available"), show_alert=True)
    else:
        await target.answer(t("not-available"))


async def student_for_view(target: Message | CallbackQuery, session: AsyncSession,
                           account: AccountInfo, t: Translator,
                           student_id: int | None = None,
                           purpose: str = "view") -> StudentAccess | None:
    try:
        return await access.viewed_student(session, account.id, account.active_student_id,
                                           student_id, purpose=purpose)
    except NotLinked:
        if isinstance(target, CallbackQuery):
            await target.answer(t("start-need-code"), show_alert=True)
        else:
            await target.answer(t("start-need-code"))
        return None
    except AccessDenied as error:
        await access.record_refusal(session, error, account.id)
        await refuse(target, t)
        return None


async def show_menu(target: Message | CallbackQuery, session: AsyncSession,
                    account: AccountInfo, t: Translator) -> None:
    from handlers import replies
    from handlers.menu import main_menu

    await replies.send(target, await main_menu(session, account, t))
