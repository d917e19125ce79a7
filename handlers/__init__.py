"""The bot's routers, in priority order: specific conversations first, the catch-all last."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.enums import ChatType


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
        router.message.filter(F.chat.type == ChatType.PRIVATE)
        router.callback_query.filter(F.message.chat.type == ChatType.PRIVATE)
    return [errors.router, *areas]
