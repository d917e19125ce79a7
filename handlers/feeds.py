"""Settings → calendar subscription (screens/feeds.py, services/calendar_feed.py). Access
is checked by the service for every issue; a forged student id is refused there."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.replies import On
from screens import feeds as screens
from screens.base import Screen
from screens.feeds import FeedAction, FeedCb
from screens.i18n import Translator
from services import access
from services import calendar_feed as feeds
from services.accounts import AccountInfo

router = Router(name="feeds")
__all__ = ["FeedCb", "router"]


async def _overview(session: AsyncSession, account: AccountInfo, t: Translator,
                    note: str = "") -> Screen:
    roles = await access.load_roles(session, account.id)
    return screens.feeds(t, roles.family_students, await feeds.feeds_of(session, account.id),
                         note)


@router.callback_query(On(FeedCb, a=FeedAction.SHOW))
async def on_show(_: CallbackQuery, session: AsyncSession, account: AccountInfo,
                  t: Translator) -> Screen:
    return await _overview(session, account, t)


@router.callback_query(On(FeedCb, a=FeedAction.ISSUE))
async def on_issue(_: CallbackQuery, callback_data: FeedCb, session: AsyncSession,
                   account: AccountInfo, t: Translator, code_secret: bytes,
                   feed_base_url: str) -> Screen:
    secret = await feeds.issue(session, account.id, callback_data.s, code_secret)
    child = await access.child_ref(session, callback_data.s)
    return screens.issued(t, child, f"{feed_base_url}/calendar/{secret}.ics")


@router.callback_query(On(FeedCb, a=FeedAction.REVOKE))
async def on_revoke(_: CallbackQuery, callback_data: FeedCb, session: AsyncSession,
                    account: AccountInfo, t: Translator) -> Screen:
    await feeds.revoke(session, account.id, callback_data.s)
    return await _overview(session, account, t, t("feed-revoked"))
