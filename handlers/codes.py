"""Link codes in the bot: a class teacher (or a clerk or admin) gets a class's codes as
printable slips, or one student's or one named guardian's code (a lost slip) without
touching the classmates' codes; an admin mints staff codes and replaces a colleague's chat."""

from __future__ import annotations

import enum
from html import escape

from aiogram import F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from handlers._legacy import grid, refuse, show
from handlers.replies import On
from screens.code_slips import class_slips_pdf
from screens.i18n import Translator
from screens.nav import MenuCb
from services import clock, codes, offboarding, rosters, staff_codes
from services.access import AccessDenied
from services.accounts import AccountInfo
from services.models import LinkKind

router = Router(name="codes")


class CodeStep(enum.StrEnum):
    CLASS = "c"  # the class: how many unused codes, bulk or one
    BULK = "b"  # a bulk re-issue: asks first when unused codes would stop working
    SURE = "y"  # the bulk re-issue, confirmed
    ONE = "o"  # choose the student


class CodesCb(CallbackData, prefix="cd"):
    class_id: int
    v: CodeStep = CodeStep.CLASS


class OneCodeCb(CallbackData, prefix="c1"):
    s: int  # student id
    k: str = ""  # "" choose; "s" the student's code; "g" a guardian's
    g: int = 0  # the named guardian (0: a guardian code naming nobody)


class StaffCodeCb(CallbackData, prefix="cs2"):
    staff_id: int  # 0: the list of colleagues
    r: bool = False  # replace that colleague's live chat
    sure: bool = False


@router.callback_query(On(MenuCb, area="codes"))
async def on_codes(query: CallbackQuery, session: AsyncSession, account: AccountInfo,
                   t: Translator) -> None:
    classes = await codes.code_classes(session, account.id)
    if not classes:
        await refuse(query, t)
        return
    kb = InlineKeyboardBuilder()
    for class_id, name in classes:
        kb.button(text=name, callback_data=CodesCb(class_id=class_id))
    rows = grid(len(classes), 4)
    if (await staff_codes.colleagues(session, account.id)
            or await staff_codes.colleagues(session, account.id, with_chat=True)):
        kb.button(text=t("codes-staff"), callback_data=StaffCodeCb(staff_id=0))
        rows.append(1)
    kb.button(text=t("btn-menu"), callback_data=MenuCb(area="menu").pack())
    kb.adjust(*rows, 1)
    await show(query, t("codes-choose-class"), kb.as_markup())


def _back(t: Translator, data: CallbackData) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=t("btn-back"), callback_data=data)
    return kb.as_markup()


@router.callback_query(CodesCb.filter(F.v.in_({CodeStep.CLASS, CodeStep.BULK})))
async def on_class(query: CallbackQuery, callback_data: CodesCb, session: AsyncSession,
                   account: AccountInfo, t: Translator, bot_username: str,
                   code_secret: bytes) -> None:
    try:
        unused = await codes.unused_class_codes(session, account.id, callback_data.class_id)
    except AccessDenied:
        await refuse(query, t)
        return
    class_id = callback_data.class_id
    kb = InlineKeyboardBuilder()
    if callback_data.v == CodeStep.BULK:
        if not unused:  # nothing would stop working: no question to ask
            await _issue_class(query, session, account, t, bot_username, code_secret, class_id)
            return
        kb.button(text=t("codes-bulk-sure"), callback_data=CodesCb(class_id=class_id,
                                                                   v=CodeStep.SURE))
        kb.button(text=t("btn-back"), callback_data=CodesCb(class_id=class_id))
        kb.adjust(1)
        await show(query, t("codes-bulk-confirm", count=unused), kb.as_markup())
        return
    kb.button(text=t("codes-bulk"), callback_data=CodesCb(class_id=class_id, v=CodeStep.BULK))
    kb.button(text=t("codes-one"), callback_data=CodesCb(class_id=class_id, v=CodeStep.ONE))
    kb.button(text=t("btn-back"), callback_data=MenuCb(area="codes").pack())
    kb.adjust(1)
    await show(query, t("codes-class", count=unused), kb.as_markup())


@router.callback_query(CodesCb.filter(F.v == CodeStep.SURE))
async def on_bulk_sure(query: CallbackQuery, callback_data: CodesCb, session: AsyncSession,
                       account: AccountInfo, t: Translator, bot_username: str,
                       code_secret: bytes) -> None:
    await _issue_class(query, session, account, t, bot_username, code_secret,
                       callback_data.class_id)


async def _issue_class(query: CallbackQuery, session: AsyncSession, account: AccountInfo,
                       t: Translator, bot_username: str, secret: bytes, class_id: int) -> None:
    try:
        name, tz, issued = await codes.issue_class_codes(session, account.id, class_id,
                                                         secret=secret)
    except AccessDenied:
        await refuse(query, t)
        return
    await query.answer()
    pdf = class_slips_pdf(issued, name, t, bot_username, tz)
    if isinstance(query.message, Message):
        await query.message.answer_document(
            BufferedInputFile(pdf, filename=f"codes-{class_id}.pdf"),
            caption=t("codes-issued", klass=name, count=len(issued),
                      hours=_hours_left(issued[0]) if issued else 0),
        )


@router.callback_query(CodesCb.filter(F.v == CodeStep.ONE))
async def on_pick_student(query: CallbackQuery, callback_data: CodesCb, session: AsyncSession,
                          account: AccountInfo, t: Translator) -> None:
    try:
        await codes.may_issue_for_class(session, account.id, callback_data.class_id)
    except AccessDenied:
        await refuse(query, t)
        return
    students = await rosters.class_roster(session, callback_data.class_id)
    kb = InlineKeyboardBuilder()
    for student in students:
        kb.button(text=student.name, callback_data=OneCodeCb(s=student.student_id))
    kb.button(text=t("btn-back"), callback_data=CodesCb(class_id=callback_data.class_id))
    kb.adjust(*grid(len(students), 2), 1)
    await show(query, t("codes-one-choose"), kb.as_markup())


@router.callback_query(OneCodeCb.filter(F.k == ""))
async def on_one_student(query: CallbackQuery, callback_data: OneCodeCb,
                         session: AsyncSession, account: AccountInfo, t: Translator) -> None:
    try:
        student = await rosters.student_for_codes(session, account.id, callback_data.s)
    except AccessDenied:
        await refuse(query, t)
        return
    kb = InlineKeyboardBuilder()
    for guardian_id, name in student.guardians:
        kb.button(text=t("codes-one-guardian", name=name),
                  callback_data=OneCodeCb(s=student.student_id, k="g", g=guardian_id))
    kb.button(text=t("codes-one-unnamed"), callback_data=OneCodeCb(s=student.student_id, k="g"))
    kb.button(text=t("codes-one-student"), callback_data=OneCodeCb(s=student.student_id, k="s"))
    kb.button(text=t("btn-back"), callback_data=CodesCb(class_id=student.class_id,
                                                         v=CodeStep.ONE))
    kb.adjust(1)
    await show(query, t("codes-one-whom", name=escape(student.name)), kb.as_markup())


@router.callback_query(OneCodeCb.filter())
async def on_one_code(query: CallbackQuery, callback_data: OneCodeCb, session: AsyncSession,
                      account: AccountInfo, t: Translator, bot_username: str,
                      code_secret: bytes) -> None:
    kind = {"g": LinkKind.GUARDIAN, "s": LinkKind.STUDENT}.get(callback_data.k)
    try:
        if kind is None:
            raise AccessDenied("issue_code", account_id=account.id, k=callback_data.k)
        tz, code = await codes.issue_one_code_as(
            session, account.id, callback_data.s, kind, secret=code_secret,
            guardian_id=callback_data.g or None)
    except AccessDenied:
        await refuse(query, t)
        return
    await query.answer()
    pdf = class_slips_pdf([code], code.class_name or "", t, bot_username, tz)
    if isinstance(query.message, Message):
        await query.message.answer_document(
            BufferedInputFile(pdf, filename=f"code-{callback_data.s}.pdf"),
            caption=t("codes-one-issued", name=escape(code.guardian_name or code.person_name),
                      code=code.code, hours=_hours_left(code)))


# --- staff codes -------------------------------------------------------------------------


@router.callback_query(StaffCodeCb.filter(F.staff_id == 0))
async def on_staff_list(query: CallbackQuery, callback_data: StaffCodeCb,
                        session: AsyncSession, account: AccountInfo, t: Translator) -> None:
    people = await staff_codes.colleagues(session, account.id, with_chat=callback_data.r)
    if not people and not await staff_codes.colleagues(session, account.id, with_chat=True):
        await refuse(query, t)
        return
    kb = InlineKeyboardBuilder()
    for staff_id, name in people:
        kb.button(text=name, callback_data=StaffCodeCb(staff_id=staff_id, r=callback_data.r))
    rows = grid(len(people), 2)
    if not callback_data.r:
        kb.button(text=t("codes-staff-replace"), callback_data=StaffCodeCb(staff_id=0, r=True))
        rows.append(1)
    kb.button(text=t("btn-back"), callback_data=MenuCb(area="codes").pack())
    kb.adjust(*rows, 1)
    text = t("codes-staff-replace-choose") if callback_data.r else t("codes-staff-choose")
    await show(query, text, kb.as_markup())


@router.callback_query(StaffCodeCb.filter(F.r & ~F.sure))
async def on_replace_ask(query: CallbackQuery, callback_data: StaffCodeCb,
                         session: AsyncSession, account: AccountInfo, t: Translator) -> None:
    """Replacing a colleague's chat is asked about first: the old chat loses access."""
    people = dict(await staff_codes.colleagues(session, account.id, with_chat=True))
    name = people.get(callback_data.staff_id)
    if name is None:
        await refuse(query, t)
        return
    kb = InlineKeyboardBuilder()
    kb.button(text=t("codes-staff-replace-sure"),
              callback_data=StaffCodeCb(staff_id=callback_data.staff_id, r=True, sure=True))
    kb.button(text=t("btn-back"), callback_data=StaffCodeCb(staff_id=0, r=True))
    kb.adjust(1)
    await show(query, t("codes-staff-replace-confirm", name=escape(name)), kb.as_markup())


@router.callback_query(StaffCodeCb.filter())
async def on_staff_code(query: CallbackQuery, callback_data: StaffCodeCb,
                        session: AsyncSession, account: AccountInfo, t: Translator,
                        bot_username: str, code_secret: bytes) -> None:
    try:
        if callback_data.r:
            code = await offboarding.replace_staff_chat(session, account.id,
                                                        callback_data.staff_id,
                                                        secret=code_secret)
        else:
            code = await staff_codes.issue_staff_code_as(
                session, account.id, callback_data.staff_id, secret=code_secret)
    except AccessDenied:
        await refuse(query, t)
        return
    await show(query, t("codes-staff-issued", name=escape(code.person_name), code=code.code,
                        link=code.deep_link(bot_username), hours=_hours_left(code)),
               _back(t, StaffCodeCb(staff_id=0)))


def _hours_left(code: codes.IssuedCode) -> int:
    return round((code.expires_at - clock.now()).total_seconds() / 3600)
