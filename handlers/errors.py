"""The one place errors become replies.

A domain error (services/errors.py) is a user's dead end, not a bug: it gets its Fluent
text, and a refusal its audit row, written in a transaction of its own because the
update's work was rolled back; the row is committed before the reply is tried. Anything
else is a bug or an outage: logged with ids, and the user gets a short apology.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers import replies
from screens.base import Alert
from screens.i18n import DEFAULT_LOCALE, Translator, translator
from services import access, clock
from services.accounts import AccountInfo
from services.errors import AccessDenied, DiaryError, TooManyAttempts

router = Router(name="errors")
log = logging.getLogger(__name__)


def error_text(t: Translator, error: DiaryError) -> str:
    args: dict[str, Any] = dict(error.text_args)
    if isinstance(error, TooManyAttempts):
        seconds = (error.retry_at - clock.now()).total_seconds()
        args["minutes"] = max(1, math.ceil(seconds / 60))
    return t(error.text_id, **args)


@router.errors(ExceptionTypeFilter(DiaryError))
async def on_domain_error(event: ErrorEvent, sessionmaker: async_sessionmaker[AsyncSession],
                          t: Translator | None = None, account: AccountInfo | None = None,
                          ) -> bool:
    error = event.exception
    assert isinstance(error, DiaryError)
    if isinstance(error, AccessDenied):
        async with sessionmaker.begin() as session:
            await access.record_refusal(session, error, account.id if account else None)
    t = t or translator(DEFAULT_LOCALE)
    await _tell(event, Alert(error_text(t, error), popup=error.alert))
    return True


@router.errors()
async def on_error(event: ErrorEvent, t: Translator | None = None) -> bool:
    log.error("update %s failed: %s", event.update.update_id,
              type(event.exception).__name__, exc_info=event.exception)
    await _tell(event, Alert((t or translator(DEFAULT_LOCALE))("error-generic")))
    return True


async def _tell(event: ErrorEvent, alert: Alert) -> None:
    try:
        await replies.send(event.update.event, alert)
    except TelegramAPIError:
        log.warning("could not answer update %s", event.update.update_id)
