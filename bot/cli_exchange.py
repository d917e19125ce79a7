"""`diary` subcommands of the journal exchange: `schools add`, `tokens issue|revoke`,
`serve` and `import`. None of them imports aiogram (`serve` must start at once)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from services.errors import DiaryError


def _with_engine(settings: Settings, work: Any) -> int:
    from bot.cli import _with_engine as run

    return run(settings, work)


def _print(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=2))


def cmd_schools_add(settings: Settings, args: argparse.Namespace) -> int:
    from services.db import make_sessionmaker
    from services.exchange import tokens

    async def work(engine: AsyncEngine) -> int:
        try:
            async with make_sessionmaker(engine).begin() as session:
                school_id, created = await tokens.add_school(
                    session, external_id=args.external_id, name=args.name,
                    timezone=args.timezone)
        except DiaryError as exc:
            print(exc.detail, file=sys.stderr)
            return 2
        if args.json:
            _print({"school": args.external_id, "id": school_id, "created": created})
        else:
            print(f"school {args.external_id} {'created' if created else 'updated'}")
        return 0

    return _with_engine(settings, work)


def cmd_tokens(settings: Settings, args: argparse.Namespace) -> int:
    from services.db import make_sessionmaker
    from services.exchange import tokens

    async def work(engine: AsyncEngine) -> int:
        try:
            async with make_sessionmaker(engine).begin() as session:
                if args.action == "issue":
                    token = await tokens.issue_token(session, args.school)
                else:
                    revoked = await tokens.revoke_tokens(session, args.school)
        except DiaryError:
            print(f"no school with external id {args.school}", file=sys.stderr)
            return 2
        if args.action == "revoke":
            print(f"{revoked} token(s) revoked for {args.school}")
        elif args.json:
            _print({"school": args.school, "token": token})
        else:
            print(token)
        return 0

    return _with_engine(settings, work)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from aiohttp import web

    from api import build_exchange_app
    from services.db import make_sessionmaker

    host = args.host or settings.exchange_host
    port = args.port or settings.exchange_port

    async def work(engine: AsyncEngine) -> int:
        runner = web.AppRunner(build_exchange_app(make_sessionmaker(engine), settings))
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        print(f"exchange API on http://{host}:{port}", flush=True)
        try:
            await asyncio.Event().wait()  # until interrupted
        finally:
            await runner.cleanup()
        return 0

    try:
        return _with_engine(settings, work)
    except KeyboardInterrupt:
        return 0


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from services.db import make_sessionmaker
    from services.exchange import BatchInvalid, apply_batch, tokens
    from services.exchange.roster import roster_batch

    if bool(args.file) == bool(args.roster_csv):
        print("give either FILE.json or --roster-csv FILE", file=sys.stderr)
        return 2
    try:
        if args.roster_csv:
            batch: Any = roster_batch(Path(args.roster_csv).read_text(encoding="utf-8-sig"))
        else:
            batch = json.loads(Path(args.file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        print(f"cannot read the batch: {exc}", file=sys.stderr)
        return 2
    except DiaryError as exc:
        print(exc.detail, file=sys.stderr)
        return 2
    if not isinstance(batch, dict):
        print("the batch must be a JSON object", file=sys.stderr)
        return 2

    async def work(engine: AsyncEngine) -> int:
        try:
            async with make_sessionmaker(engine).begin() as session:
                school_id = await tokens.school_by_external_id(session, args.school)
                result = await apply_batch(session, school_id, batch)
        except BatchInvalid as exc:
            _print({"errors": exc.errors})
            return 1
        except DiaryError:
            print(f"no school with external id {args.school}", file=sys.stderr)
            return 2
        _print(result.as_json())
        return 0

    return _with_engine(settings, work)


def register(sub: Any) -> None:
    """Add the exchange commands to the `diary` parser's subcommands."""
    schools = sub.add_parser("schools", help="schools as the journal names them")
    schools_sub = schools.add_subparsers(dest="action", required=True)
    add = schools_sub.add_parser("add", help="create a school, or update it when it exists")
    add.add_argument("--external-id", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--timezone", required=True, help="IANA, e.g. Asia/Yekaterinburg")
    add.add_argument("--json", action="store_true")
    add.set_defaults(func=cmd_schools_add)
    tok = sub.add_parser("tokens", help="exchange API tokens").add_subparsers(
        dest="action", required=True)
    issue = tok.add_parser("issue", help="issue a token for a school's journal")
    issue.add_argument("--school", required=True, help="the school's external id")
    issue.add_argument("--json", action="store_true")
    issue.set_defaults(func=cmd_tokens)
    revoke = tok.add_parser("revoke", help="revoke every token of a school")
    revoke.add_argument("--school", required=True, help="the school's external id")
    revoke.set_defaults(func=cmd_tokens)
    serve = sub.add_parser("serve", help="run the journal exchange API")
    serve.add_argument("--host", help="default EXCHANGE_HOST or 127.0.0.1")
    serve.add_argument("--port", type=int, help="default EXCHANGE_PORT or 8080")
    serve.set_defaults(func=cmd_serve)
    imp = sub.add_parser("import", help="apply a batch from a file, as the API would")
    imp.add_argument("file", nargs="?", help="a batch as JSON")
    imp.add_argument("--roster-csv", help="a class list as CSV instead")
    imp.add_argument("--school", required=True, help="the school's external id")
    imp.set_defaults(func=cmd_import)
