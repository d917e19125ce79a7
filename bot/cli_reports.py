"""`diary report` and `diary extracts`: the school's XLSX reports and the paper extracts
from the command line (no aiogram). The CLI acts for the school's staff, so it makes any
report; the bot checks who asks (services/reports/registry.py)."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.settings import Settings
from services.errors import DiaryError


def register(sub: Any) -> None:
    """Add the two subcommands to the `diary` parser."""
    from services.reports.registry import ReportName

    report = sub.add_parser("report", help="make a school report as XLSX")
    report.add_argument("name", choices=[n.value for n in ReportName])
    report.add_argument("--school", required=True, help="school id or external id")
    report.add_argument("--class", dest="class_name", help="one class, e.g. 5А")
    report.add_argument("--period", help="period id or name, e.g. '1 четверть'")
    report.add_argument("--from", dest="date_from", type=dt.date.fromisoformat,
                        help="activity: first day, YYYY-MM-DD (default: the 1st of the month)")
    report.add_argument("--to", dest="date_to", type=dt.date.fromisoformat,
                        help="activity: last day, YYYY-MM-DD (default: today)")
    report.add_argument("--xlsx", required=True, help="write the workbook to this file")
    report.add_argument("--pdf", help="term-sheet only: also write the printable PDF")
    report.add_argument("--locale", choices=("ru", "en"))
    report.set_defaults(func=cmd_report)
    extracts = sub.add_parser("extracts", help="paper extracts of a class as one PDF")
    extracts.add_argument("--class", dest="class_name", required=True, help="e.g. 5А")
    extracts.add_argument("--school", help="school id or external id, if the name is ambiguous")
    extracts.add_argument("--from", dest="date_from", type=dt.date.fromisoformat,
                          help="first day, YYYY-MM-DD (default: two weeks before --to)")
    extracts.add_argument("--to", dest="date_to", type=dt.date.fromisoformat,
                          help="last day, YYYY-MM-DD (default: today)")
    extracts.add_argument("--all", action="store_true",
                          help="every student, not only the families on paper")
    extracts.add_argument("--pdf", required=True, help="write the extracts to this file")
    extracts.add_argument("--locale", choices=("ru", "en"))
    extracts.set_defaults(func=cmd_extracts)


class _Refused(Exception):
    pass


async def _school(session: AsyncSession, school: str) -> int:
    from services import lookups

    found = await lookups.school(session, school)
    if found is None:
        raise _Refused(f"no school {school}")
    return int(found)


async def _class(session: AsyncSession, class_name: str, school: str | None) -> int:
    from services import codes

    classes = await codes.find_classes(session, class_name, school)
    if not classes:
        raise _Refused(f"no class named {class_name}")
    if len(classes) > 1:
        schools = ", ".join(c[2] for c in classes)
        raise _Refused(f"{class_name} exists in several schools ({schools}): "
                       "choose one with --school")
    return classes[0][0]


async def _period(session: AsyncSession, school_id: int, period: str) -> int:
    from services import lookups

    found = await lookups.periods(session, school_id, period)
    if len(found) != 1:
        raise _Refused(f"no single period {period} in the school")
    return found[0]


def _run(settings: Settings, work: Any) -> int:
    from bot.cli import _with_engine
    from services.db import make_sessionmaker

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # font subsetting chatter

    async def main(engine: AsyncEngine) -> int:
        try:
            async with make_sessionmaker(engine).begin() as session:
                return int(await work(session))
        except _Refused as error:
            print(error, file=sys.stderr)
            return 2
        except DiaryError as error:
            print(f"{type(error).__name__}: {error.detail or error}", file=sys.stderr)
            return 2

    return _with_engine(settings, main)


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    from screens.i18n import translator
    from screens.reports_xlsx import render_xlsx
    from screens.term_sheets_pdf import render_term_sheet_pdf
    from services.reports.registry import build_report, make_scope

    t = translator(args.locale or settings.default_locale)

    async def work(session: AsyncSession) -> int:
        school_id = await _school(session, args.school)
        class_id = (await _class(session, args.class_name, args.school)
                    if args.class_name else None)
        period_id = await _period(session, school_id, args.period) if args.period else None
        scope = await make_scope(session, school_id, class_id=class_id, period_id=period_id,
                                 date_from=args.date_from, date_to=args.date_to)
        report = await build_report(session, args.name, scope)
        Path(args.xlsx).write_bytes(render_xlsx(report, t))  # noqa: ASYNC240 (a CLI)
        if args.pdf:
            Path(args.pdf).write_bytes(render_term_sheet_pdf(report, t))  # noqa: ASYNC240
        rows = sum(len(s.rows) for s in report.sheets)
        print(f"{args.name}: {len(report.sheets)} sheet(s), {rows} row(s) -> {args.xlsx}")
        return 0

    return _run(settings, work)


def cmd_extracts(settings: Settings, args: argparse.Namespace) -> int:
    from screens.extracts_pdf import render_extracts_pdf
    from screens.i18n import translator
    from services.reports.extracts import FORTNIGHT, class_extracts
    from services.reports.registry import class_school
    from services.timetable import school_today

    t = translator(args.locale or settings.default_locale)

    async def work(session: AsyncSession) -> int:
        class_id = await _class(session, args.class_name, args.school)
        date_to = args.date_to or await school_today(session,
                                                     await class_school(session, class_id))
        date_from = args.date_from or date_to - dt.timedelta(days=FORTNIGHT - 1)
        if date_from > date_to:
            raise _Refused("--from is after --to")
        batch = await class_extracts(session, class_id, date_from, date_to,
                                     paper_only=not args.all)
        Path(args.pdf).write_bytes(render_extracts_pdf(batch, t))  # noqa: ASYNC240 (a CLI)
        print(f"{batch.class_name}: {len(batch.extracts)} extract(s), "
              f"{date_from.isoformat()}..{date_to.isoformat()} -> {args.pdf}")
        return 0

    return _run(settings, work)
