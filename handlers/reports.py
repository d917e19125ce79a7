"""Reports for staff (menu area "reports"): choose a report, then a class or the whole
school; the file comes as a document. Access is decided by services.reports.registry on
every press, so a forged button gets the same "not available"."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.replies import On
from screens import reports as screens
from screens.base import Document, Screen
from screens.i18n import Translator
from screens.nav import MenuArea, MenuCb
from screens.reports import ReportChoice, ReportsAction, ReportsCb
from services.access import deny
from services.accounts import AccountInfo
from services.reports import extracts, registry
from services.timetable import school_today

router = Router(name="reports")
__all__ = ["ReportsCb", "router"]


@router.callback_query(On(MenuCb, area=MenuArea.REPORTS))
async def on_reports(_: CallbackQuery, session: AsyncSession, account: AccountInfo,
                     t: Translator) -> Screen:
    return screens.offer(t, await registry.report_offer(session, account.id))


@router.callback_query(On(ReportsCb, a=ReportsAction.CLASSES))
async def on_classes(_: CallbackQuery, callback_data: ReportsCb, session: AsyncSession,
                     account: AccountInfo, t: Translator) -> Screen:
    name = callback_data.r.value
    by_period = name != registry.EXTRACTS and registry.spec_of(name).by_period
    return screens.classes(t, await registry.report_classes(session, account.id, name),
                           by_period=by_period)


@router.callback_query(On(ReportsCb, a=ReportsAction.PERIODS))
async def on_periods(_: CallbackQuery, callback_data: ReportsCb, session: AsyncSession,
                     account: AccountInfo, t: Translator) -> Screen:
    return screens.periods(t, await registry.report_periods(
        session, account.id, callback_data.r.value, callback_data.c or None))


@router.callback_query(On(ReportsCb, a=ReportsAction.MAKE))
async def on_make(_: CallbackQuery, callback_data: ReportsCb, session: AsyncSession,
                  account: AccountInfo, t: Translator) -> list[Document]:
    class_id = callback_data.c or None
    if callback_data.r == ReportChoice.EXTRACTS:
        if class_id is None:
            raise deny(account.id, "paper_extracts")
        school_id = await registry.class_school(session, class_id)
        date_from, date_to = extracts.default_range(await school_today(session, school_id))
        batch = await extracts.class_extracts_as(session, account.id, class_id,
                                                 date_from, date_to)
        return [screens.extracts_document(t, batch)]
    report = await registry.build_report_as(session, account.id, callback_data.r.value,
                                            class_id, callback_data.p or None)
    return screens.report_documents(t, report)
