"""Push settings (menu area "notifications", linked from the settings screen): instant or a
daily digest and its time, quiet hours, kinds on/off, per-subject mute for the active child,
privacy mode. Every change is saved by services.notification_settings and edits the same message
(a choice already made redraws nothing: the edge leaves an unchanged view as it is)."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.replies import On
from screens import notification_settings as screens
from screens.base import Screen
from screens.i18n import Translator
from screens.nav import MenuArea, MenuCb
from screens.notification_settings import DigestMode, NotifyAction, NotifyCb
from services import notification_settings as service
from services.accounts import AccountInfo
from services.errors import BadPreference

router = Router(name="notification_settings")
__all__ = ["NotifyCb", "router"]


async def settings(session: AsyncSession, account: AccountInfo, t: Translator) -> Screen:
    view = await service.settings_overview(session, account.id, account.active_student_id)
    return screens.settings(t, view)


@router.callback_query(On(MenuCb, area=MenuArea.NOTIFICATIONS))
@router.callback_query(On(NotifyCb, a=NotifyAction.MAIN))
async def on_notifications(_: CallbackQuery, session: AsyncSession, account: AccountInfo,
                           t: Translator) -> Screen:
    return await settings(session, account, t)


async def _change(session: AsyncSession, account_id: int, data: NotifyCb) -> None:
    """Save one choice; a forged value raises BadPreference (answered by the errors router)."""
    match data.a:
        case NotifyAction.MODE:
            digest = data.value(DigestMode) is DigestMode.DIGEST
            await service.set_digest(session, account_id, digest)
        case NotifyAction.TIME:
            await service.set_digest(session, account_id, True, data.digest_time())
        case NotifyAction.QUIET:
            await service.set_quiet_hours(session, account_id, data.v)
        case NotifyAction.KIND:
            await service.toggle_kind(session, account_id, data.v)
        case NotifyAction.HIDE:
            await service.set_hide_values(session, account_id, data.value(bool))
        case NotifyAction.FAMILY:
            await service.set_family_summary(session, account_id, data.value(bool))
        case _:
            raise BadPreference(data.a)


@router.callback_query(On(NotifyCb, a=NotifyAction.MODE))
@router.callback_query(On(NotifyCb, a=NotifyAction.TIME))
@router.callback_query(On(NotifyCb, a=NotifyAction.QUIET))
@router.callback_query(On(NotifyCb, a=NotifyAction.KIND))
@router.callback_query(On(NotifyCb, a=NotifyAction.HIDE))
@router.callback_query(On(NotifyCb, a=NotifyAction.FAMILY))
async def on_change(_: CallbackQuery, callback_data: NotifyCb, session: AsyncSession,
                    account: AccountInfo, t: Translator) -> Screen:
    await _change(session, account.id, callback_data)
    return await settings(session, account, t)


# --- per-subject mute -------------------------------------------------------------------


async def subjects(session: AsyncSession, account: AccountInfo, t: Translator,
                   student_id: int) -> Screen:
    child, choices = await service.subject_choices(session, account.id, student_id)
    return screens.subjects(t, child, choices)


@router.callback_query(On(NotifyCb, a=NotifyAction.SUBJECTS))
async def on_subjects(_: CallbackQuery, callback_data: NotifyCb, session: AsyncSession,
                      account: AccountInfo, t: Translator) -> Screen:
    return await subjects(session, account, t, callback_data.s)


@router.callback_query(On(NotifyCb, a=NotifyAction.MUTE_SUBJECT))
async def on_mute_subject(_: CallbackQuery, callback_data: NotifyCb, session: AsyncSession,
                          account: AccountInfo, t: Translator) -> Screen:
    await service.mute_subject(session, account.id, callback_data.s,
                                   callback_data.value(int))
    return await subjects(session, account, t, callback_data.s)
