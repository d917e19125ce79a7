"""Link codes in the bot: a class teacher (or a clerk or admin) gets a class's codes as
printable slips, or one student's or one named guardian's code (a lost slip) without
touching the classmates' codes; an admin mints staff codes and replaces a colleague's chat.

Who may do what is decided by services.codes and services.staff_codes on every press; a
refused or forged button gets "not available" from the errors router.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.replies import On
from screens import codes as screens
from screens.base import Document, Screen
from screens.codes import CodeFor, CodesCb, CodeStep, OneCodeCb, StaffCodeCb
from screens.i18n import Translator
from screens.nav import MenuArea, MenuCb
from services import codes, offboarding, rosters, staff_codes
from services.accounts import AccountInfo
from services.models import LinkKind

router = Router(name="codes")
__all__ = ["CodeFor", "CodeStep", "CodesCb", "OneCodeCb", "StaffCodeCb", "router"]
KINDS = {CodeFor.GUARDIAN: LinkKind.GUARDIAN, CodeFor.STUDENT: LinkKind.STUDENT}


@router.callback_query(On(MenuCb, area=MenuArea.CODES))
async def on_codes(_: CallbackQuery, session: AsyncSession, account: AccountInfo,
                   t: Translator) -> Screen:
    classes = await codes.code_classes_as(session, account.id)
    return screens.classes(t, classes,
                           staff_codes=await staff_codes.any_colleagues(session, account.id))


@router.callback_query(On(CodesCb, v=CodeStep.CLASS))
async def on_class(_: CallbackQuery, callback_data: CodesCb, session: AsyncSession,
                   account: AccountInfo, t: Translator) -> Screen:
    class_id = callback_data.class_id
    return screens.klass(t, class_id,
                         await codes.unused_class_codes(session, account.id, class_id))


@router.callback_query(On(CodesCb, v=CodeStep.BULK))
async def on_bulk(_: CallbackQuery, callback_data: CodesCb, session: AsyncSession,
                  account: AccountInfo, t: Translator, bot_username: str,
                  code_secret: bytes) -> Screen | Document:
    class_id = callback_data.class_id
    unused = await codes.unused_class_codes(session, account.id, class_id)
    if not unused:  # nothing would stop working: no question to ask
        return await issue_class(session, account, t, bot_username, code_secret, class_id)
    return screens.bulk_confirm(t, class_id, unused)


@router.callback_query(On(CodesCb, v=CodeStep.SURE))
async def on_bulk_sure(_: CallbackQuery, callback_data: CodesCb, session: AsyncSession,
                       account: AccountInfo, t: Translator, bot_username: str,
                       code_secret: bytes) -> Document:
    return await issue_class(session, account, t, bot_username, code_secret,
                             callback_data.class_id)


async def issue_class(session: AsyncSession, account: AccountInfo, t: Translator,
                      bot_username: str, secret: bytes, class_id: int) -> Document:
    name, timezone, issued = await codes.issue_class_codes(session, account.id, class_id,
                                                           secret=secret)
    return screens.class_slips(t, bot_username, class_id, name, timezone, issued)


@router.callback_query(On(CodesCb, v=CodeStep.ONE))
async def on_pick_student(_: CallbackQuery, callback_data: CodesCb, session: AsyncSession,
                          account: AccountInfo, t: Translator) -> Screen:
    class_id = callback_data.class_id
    await codes.may_issue_for_class(session, account.id, class_id)
    return screens.pick_student(t, class_id, await rosters.class_roster(session, class_id))


@router.callback_query(On(OneCodeCb, k=CodeFor.CHOOSE))
async def on_one_student(_: CallbackQuery, callback_data: OneCodeCb, session: AsyncSession,
                         account: AccountInfo, t: Translator) -> Screen:
    return screens.whom(t, await rosters.student_for_codes(session, account.id,
                                                           callback_data.s))


@router.callback_query(On(OneCodeCb))
async def on_one_code(_: CallbackQuery, callback_data: OneCodeCb, session: AsyncSession,
                      account: AccountInfo, t: Translator, bot_username: str,
                      code_secret: bytes) -> Document:
    timezone, code = await codes.issue_one_code_as(
        session, account.id, callback_data.s, KINDS[callback_data.k], secret=code_secret,
        guardian_id=callback_data.g or None)
    return screens.one_slip(t, bot_username, timezone, code)


# --- staff codes ---------------------------------------------------------------------------


@router.callback_query(On(StaffCodeCb, staff_id=0))
async def on_staff_list(_: CallbackQuery, callback_data: StaffCodeCb, session: AsyncSession,
                        account: AccountInfo, t: Translator) -> Screen:
    people = await staff_codes.colleagues_as(session, account.id, with_chat=callback_data.r)
    return screens.colleagues(t, people, replacing=callback_data.r)


@router.callback_query(On(StaffCodeCb, r=True, sure=False))
async def on_replace_ask(_: CallbackQuery, callback_data: StaffCodeCb, session: AsyncSession,
                         account: AccountInfo, t: Translator) -> Screen:
    """Replacing a colleague's chat is asked about first: the old chat loses access."""
    staff_id = callback_data.staff_id
    name = await staff_codes.replaceable_colleague(session, account.id, staff_id)
    return screens.replace_confirm(t, staff_id, name)


@router.callback_query(On(StaffCodeCb))
async def on_staff_code(_: CallbackQuery, callback_data: StaffCodeCb, session: AsyncSession,
                        account: AccountInfo, t: Translator, bot_username: str,
                        code_secret: bytes) -> Screen:
    if callback_data.r:
        code = await offboarding.replace_staff_chat(session, account.id,
                                                    callback_data.staff_id, secret=code_secret)
    else:
        code = await staff_codes.issue_staff_code_as(session, account.id,
                                                     callback_data.staff_id,
                                                     secret=code_secret)
    return screens.staff_code(t, bot_username, code)
