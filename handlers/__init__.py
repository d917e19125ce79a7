"""The bot's routers, in priority order: specific conversations first, the catch-all last."""

from __future__ import annotations

from aiogram import Router
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Message


# Coroutines, not magic filters: aiogram runs a synchronous filter (a magic filter too) in
# a worker thread, and every update passes these on each router it reaches.
async def _private_message(message: Message) -> bool:
    return message.chat.type == ChatType.PRIVATE


async def _private_press(query: CallbackQuery) -> bool:
    return query.message is not None and query.message.chat.type == ChatType.PRIVATE


def routers() -> list[Router]:
    from handlers import (
        attendance,
        calendar,
        codes,
        complaints,
        consents,
        errors,
        fallback,
        feeds,
        forecast,
        homework,
        marks,
        menu,
        messages,
        notices,
        notification_settings,
        polls,
        quick_entry,
        reports,
        settings,
        staff,
        start,
        summary,
        teachers,
        timetable,
    )

    # Conversations first: a command cancels composing there and then goes on to its
    # handler. Quick entry's typed topic or homework before start: a code-shaped text in
    # that conversation is homework, not a link code.
    areas = [messages.router, notices.router, complaints.router, polls.router,
             quick_entry.router, start.router, menu.router, settings.router, feeds.router,
             codes.router, consents.router, timetable.router, homework.router,
             attendance.router, teachers.router, marks.router, calendar.router, staff.router,
             forecast.router, notification_settings.router, reports.router, summary.router,
             fallback.router]
    for router in areas:
        # Defence in depth: the outer middleware already drops group updates.
        router.message.filter(_private_message)
        router.callback_query.filter(_private_press)
    return [errors.router, *areas]
