"""The teachers of the child's class by subject, and the class teacher."""

from __future__ import annotations

from html import escape

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from handlers._legacy import paginate, show, student_for_view
from handlers.replies import On
from handlers.timetable import header, menu_button
from screens.i18n import Translator
from screens.nav import MenuCb
from services import teachers
from services.access import StudentAccess
from services.accounts import AccountInfo
from services.teachers import ClassTeachers

router = Router(name="teachers")


def teachers_text(t: Translator, granted: StudentAccess, view: ClassTeachers) -> str:
    lines = [t("teachers-title", klass=escape(view.class_name or "—")), header(t, granted), ""]
    lines.append(t("teachers-class-teacher", name=escape(view.class_teacher))
                 if view.class_teacher else t("teachers-no-class-teacher"))
    lines.append("")
    for line in view.subjects:
        if line.subgroup:
            lines.append(t("teachers-line-subgroup", subject=escape(line.subject),
                           group=escape(line.subgroup), name=escape(line.teacher)))
        else:
            lines.append(t("teachers-line", subject=escape(line.subject),
                           name=escape(line.teacher)))
    if not view.subjects:
        lines.append(t("teachers-none"))
    return paginate(lines)[0]  # a class has a few dozen lines at most


async def show_teachers(target: Message | CallbackQuery, session: AsyncSession,
                        granted: StudentAccess, t: Translator) -> None:
    view = await teachers.class_teachers(session, granted)
    kb = InlineKeyboardBuilder()
    kb.row(menu_button(t))
    await show(target, teachers_text(t, granted, view), kb.as_markup())


@router.message(Command("teachers"))
@router.callback_query(On(MenuCb, area="teachers"))
async def on_teachers(target: Message | CallbackQuery, session: AsyncSession,
                      account: AccountInfo, t: Translator) -> None:
    granted = await student_for_view(target, session, account, t)
    if granted is not None:
        await show_teachers(target, session, granted, t)
