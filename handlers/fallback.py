"""Whatever no other handler understood gets a short hint; nothing changes."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from screens.base import TEXT_LIMIT, Screen
from screens.i18n import Translator
from screens.nav import menu_rows
from services.accounts import AccountInfo
from services.errors import AccessDenied

router = Router(name="fallback")


async def _has_text(message: Message) -> bool:
    return bool(message.text)  # as F.text, but a coroutine: no worker thread per message


@router.message(_has_text)
async def on_text(message: Message, t: Translator) -> Screen:
    if len(message.text or "") >= TEXT_LIMIT:
        return Screen(t("text-too-long", limit=TEXT_LIMIT))
    return Screen(t("not-understood"), menu_rows(t))


@router.message()
async def on_other(_: Message, t: Translator) -> Screen:
    return Screen(t("not-understood-media"), menu_rows(t))


@router.callback_query()
async def on_stale_button(_: CallbackQuery, account: AccountInfo) -> None:
    # Old or forged callback data no handler accepts: refused, and audited as such.
    raise AccessDenied("malformed_callback", account_id=account.id)
