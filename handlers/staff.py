"""Teacher views (menu areas "today" and "classes"): one's lessons on a day or through a
week, the school's day for school-wide staff, the classes one may open, a class's marks in
one subject (paged), and one student's summary.

Access is decided by services.staff through services.access on every press; a
refused or forged button gets the same "not available" from the errors router.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.replies import On
from screens import lessons
from screens import staff as screens
from screens.base import Screen
from screens.i18n import Translator
from screens.lessons import LessonsCb, LessonsView
from screens.nav import MenuArea, MenuCb
from screens.staff import StaffCb, StaffView
from services import access, staff, teacher_days
from services.accounts import AccountInfo

router = Router(name="staff")
__all__ = ["LessonsCb", "StaffCb", "router"]


@router.callback_query(On(MenuCb, area=MenuArea.TODAY))
async def on_today(_: CallbackQuery, session: AsyncSession, account: AccountInfo,
                   t: Translator) -> Screen:
    # School-wide staff (admins, inspectors…) start from the school's day.
    staff = await access.require_staff(session, account.id)
    if staff.school_wide:
        return lessons.school(t, await teacher_days.school_day(session, account.id))
    return lessons.day(t, await teacher_days.teacher_day(session, account.id))


@router.callback_query(On(LessonsCb, v=LessonsView.DAY))
async def on_day(_: CallbackQuery, callback_data: LessonsCb, session: AsyncSession,
                 account: AccountInfo, t: Translator) -> Screen:
    return lessons.day(t, await teacher_days.teacher_day(session, account.id,
                                                         callback_data.day))


@router.callback_query(On(LessonsCb, v=LessonsView.WEEK))
async def on_week(_: CallbackQuery, callback_data: LessonsCb, session: AsyncSession,
                  account: AccountInfo, t: Translator) -> Screen:
    return lessons.week(t, await teacher_days.teacher_week(session, account.id,
                                                           callback_data.day))


@router.callback_query(On(LessonsCb, v=LessonsView.SCHOOL))
async def on_school(_: CallbackQuery, callback_data: LessonsCb, session: AsyncSession,
                    account: AccountInfo, t: Translator) -> Screen:
    return lessons.school(t, await teacher_days.school_day(session, account.id,
                                                           callback_data.day))


@router.callback_query(On(MenuCb, area=MenuArea.CLASSES))
async def on_classes(_: CallbackQuery, session: AsyncSession, account: AccountInfo,
                     t: Translator) -> Screen:
    return screens.classes(t, await staff.visible_classes(session, account.id))


@router.callback_query(On(StaffCb, v=StaffView.CLASS))
async def on_class(_: CallbackQuery, callback_data: StaffCb, session: AsyncSession,
                   account: AccountInfo, t: Translator) -> Screen:
    return screens.klass(t, await staff.class_view(session, account.id,
                                                         callback_data.c))


@router.callback_query(On(StaffCb, v=StaffView.TABLE))
async def on_table(_: CallbackQuery, callback_data: StaffCb, session: AsyncSession,
                   account: AccountInfo, t: Translator) -> Screen:
    data = callback_data
    table = await staff.class_marks_table(session, account.id, data.c, data.j,
                                                data.d or None)
    return screens.table(t, table, data.p)


@router.callback_query(On(StaffCb, v=StaffView.STUDENTS))
async def on_students(_: CallbackQuery, callback_data: StaffCb, session: AsyncSession,
                      account: AccountInfo, t: Translator) -> Screen:
    return screens.students(t, await staff.class_students(session, account.id,
                                                                callback_data.c))


@router.callback_query(On(StaffCb, v=StaffView.SUMMARY))
async def on_summary(_: CallbackQuery, callback_data: StaffCb, session: AsyncSession,
                     account: AccountInfo, t: Translator) -> Screen:
    return screens.summary(t, await staff.student_summary(session, account.id,
                                                                callback_data.s))
