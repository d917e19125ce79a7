"""The last resort: a bug or an outage gets logged with ids, and the user a short apology
instead of silence. (User mistakes never get here: handlers answer them.)"""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent

from screens.i18n import DEFAULT_LOCALE, Translator, translator

router = Router(name="errors")
log = logging.getLogger(__name__)


@router.errors()
async def on_error(event: ErrorEvent, bot: Bot, t: Translator | None = None) -> bool:
    log.error("update %s failed: %s", event.update.update_id,
              type(event.exception).__name__, exc_info=event.exception)
    t = t or translator(DEFAULT_LOCALE)
    update = event.update
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(t("error-generic"), show_alert=True)
        elif update.message is not None:
            await bot.send_message(update.message.chat.id, t("error-generic"))
    except TelegramAPIError:
        log.warning("could not tell update %s about the failure", update.update_id)
    return True
