"""Resolving which student a view is about, with access checked in the service layer."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.menu import active_child
from screens.i18n import Translator
from services import access
from services.access import AccessDenied, StudentAccess
from services.accounts import AccountInfo


async def refuse(target: Message | CallbackQuery, t: Translator) -> None:
    """The one reply to anything this chat may not see: short, and the same for all."""
    if isinstance(target, CallbackQuery):
        await target.answer(t("not-available"), show_alert=True)
    else:
        await target.answer(t("not-available"))


async def student_for_view(target: Message | CallbackQuery, session: AsyncSession,
                           account: AccountInfo, t: Translator,
                           student_id: int | None = None,
                           purpose: str = "view") -> StudentAccess | None:
    """Access to the student named in callback data, or to the active child for a command.
    Replies and returns None when there is nobody to show or access is refused."""
    if student_id is None:
        roles = await access.load_roles(session, account.id)
        child = active_child(roles, account)
        if child is None:
            text = t("start-need-code")
            if isinstance(target, CallbackQuery):
                await target.answer(text, show_alert=True)
            else:
                await target.answer(text)
            return None
        student_id = child.student_id
    try:
        return await access.student_access(session, account.id, student_id, purpose=purpose)
    except AccessDenied:
        await refuse(target, t)
        return None
