"""One summary for a guardian of several children (menu area "summary", /summary)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.replies import On
from screens import family_summary as screens
from screens.base import Screen
from screens.i18n import Translator
from screens.nav import MenuArea, MenuCb
from services import family_summary
from services.accounts import AccountInfo

router = Router(name="summary")


@router.message(Command("summary"))
@router.callback_query(On(MenuCb, area=MenuArea.SUMMARY))
async def on_summary(_: Message | CallbackQuery, session: AsyncSession, account: AccountInfo,
                     t: Translator) -> Screen:
    return screens.summary(t, await family_summary.family_summary(session, account.id))
