"""Whatever no other handler understood gets a short hint; nothing changes."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from screens.i18n import Translator

router = Router(name="fallback")
MAX_TEXT = 4096


@router.message(F.text)
async def on_text(message: Message, t: Translator) -> None:
    if len(message.text or "") >= MAX_TEXT:
        await message.answer(t("text-too-long", limit=MAX_TEXT))
        return
    await message.answer(t("not-understood"))


@router.message()
async def on_other(message: Message, t: Translator) -> None:
    await message.answer(t("not-understood-media"))


@router.callback_query()
async def on_stale_button(query: CallbackQuery, t: Translator) -> None:
    # Old or forged callback data no handler accepts.
    await query.answer(t("not-available"), show_alert=True)
