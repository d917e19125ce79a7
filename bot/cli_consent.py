"""`diary consent …`, `diary codes issue-one` and `diary students transfer`: the consent
register and named codes from the command line. Every action is audited with who ran it
(`--by`, else the OS user)."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli import _with_engine, actor
from bot.settings import Settings

CSV_COLUMNS = ("class", "student_id", "student", "student_chat", "person", "guardian_id",
               "linked", "status", "version", "decided_on", "source", "form_number")


def _date(text: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"not a date: {text} (use YYYY-MM-DD)")


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


async def _one_class(session: Any, name: str, school: str | None) -> tuple[int, str] | str:
    from services import codes

    classes = await codes.find_classes(session, name, school)
    if not classes:
        return f"no class named {name}"
    if len(classes) > 1:
        return (f"{name} exists in several schools ({', '.join(c[2] for c in classes)}): "
                "choose one with --school")
    return classes[0][0], classes[0][1]


def cmd_record(settings: Settings, args: argparse.Namespace) -> int:
    from services import consent
    from services.errors import BadConsentForm, NotFound

    async def work(engine: AsyncEngine) -> int:
        from services.db import make_sessionmaker

        try:
            async with make_sessionmaker(engine).begin() as session:
                result = await consent.record_paper(
                    session, student_id=args.student, guardian_id=args.guardian,
                    given=args.decision == "given", signed_on=args.date,
                    form_number=args.form, by=actor(args))
        except NotFound:
            return _fail("no such active student, or that guardian is not theirs")
        except BadConsentForm as error:
            return _fail(f"the form cannot be right: {error.detail}")
        print(f"recorded: {result.decision.value} for student {args.student} by guardian "
              f"{args.guardian}, form {result.form_number} of {result.signed_on.isoformat()}, "
              f"text version {result.version}"
              + (f"; {result.chats_ended} chat(s) unlinked and told" if result.chats_ended
                 else ""))
        return 0

    return _with_engine(settings, work)


def report_csv(report: Any) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for student in report.students:
        for person in student.people:
            writer.writerow([
                report.class_name, student.student_id, student.name, student.own_link.value,
                person.name or f"chat {person.account_id}", person.guardian_id or "",
                "yes" if person.linked else "no", person.status.value, report.version,
                person.decided_on.isoformat() if person.decided_on else "",
                person.source or "", person.form_number or ""])
        if not student.people:
            writer.writerow([report.class_name, student.student_id, student.name,
                             student.own_link.value, "", "", "no", "waiting",
                             report.version, "", "", ""])
    return out.getvalue()


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    from services import access, consent_report

    async def work(engine: AsyncEngine) -> int:
        from services.db import make_sessionmaker

        async with make_sessionmaker(engine).begin() as session:
            found = await _one_class(session, args.class_name, args.school)
            if isinstance(found, str):
                return _fail(found)
            report = await consent_report.class_consent(session, found[0])
            await access.audit(session, "consent_report", class_id=found[0], by=actor(args))
        text = report_csv(report)
        if args.csv:
            Path(args.csv).write_text(text, encoding="utf-8")  # noqa: ASYNC240 (a CLI)
            print(f"{report.class_name}: {len(report.students)} students, "
                  f"{report.people} guardians and chats: {args.csv}")
        else:
            sys.stdout.write(text)
        return 0

    return _with_engine(settings, work)


def cmd_publish(settings: Settings, args: argparse.Namespace) -> int:
    from services import consent, lookups

    async def work(engine: AsyncEngine) -> int:
        from services.db import make_sessionmaker

        async with make_sessionmaker(engine).begin() as session:
            school_id = await lookups.school(session, args.school)
            if school_id is None:
                return _fail(f"no school {args.school}")
            version = await consent.publish_consent_version(session, school_id,
                                                            by=actor(args))
        print(f"consent text version {version} published: everyone is asked again")
        return 0

    return _with_engine(settings, work)


def cmd_issue_one(settings: Settings, args: argparse.Namespace) -> int:
    from services import codes
    from services.errors import NotFound
    from services.models import LinkKind

    async def work(engine: AsyncEngine) -> int:
        from services.db import make_sessionmaker

        try:
            async with make_sessionmaker(engine).begin() as session:
                code = await codes.issue_one_code(
                    session, args.student, LinkKind(args.kind), secret=settings.code_key(),
                    guardian_id=args.guardian, by=actor(args))
        except NotFound:
            return _fail("no such active student, or that guardian is not theirs")
        row = {"student": code.person_name, "class": code.class_name, "kind": code.kind.value,
               "guardian": code.guardian_name, "code": code.code,
               "deep_link": code.deep_link(settings.bot_username),
               "expires_at": code.expires_at.isoformat()}
        print(json.dumps(row, ensure_ascii=False) if args.json else
              f"{row['class']}\t{row['student']}\t{row['guardian'] or row['kind']}\t"
              f"{row['code']}\t{row['deep_link']}")
        return 0

    return _with_engine(settings, work)


def cmd_transfer(settings: Settings, args: argparse.Namespace) -> int:
    from services import clock, lookups, offboarding
    from services.errors import NotFound

    async def work(engine: AsyncEngine) -> int:
        from services.db import make_sessionmaker

        try:
            async with make_sessionmaker(engine).begin() as session:
                school = await lookups.school_of_student(session, args.student)
                if school is None:
                    return _fail(f"no student with id {args.student}")
                found = await _one_class(session, args.class_name, school.ref)
                if isinstance(found, str):
                    return _fail(found)
                await offboarding.transfer_student(
                    session, args.student, found[0], args.date or clock.today(school.timezone),
                    by=actor(args))
        except NotFound:
            return _fail("no such student or class")
        print(f"student {args.student} moved to {found[1]}")
        return 0

    return _with_engine(settings, work)


def register(sub: Any, students: Any, codes: Any) -> None:
    """Add these commands to the `diary` parser (`sub`: its subcommands; `students` and
    `codes`: the subcommands of those groups)."""
    by = {"help": "who acts, for the audit log (default: the OS user)"}
    group = sub.add_parser("consent", help="consent to personal-data processing")
    consent = group.add_subparsers(dest="action", required=True)

    record = consent.add_parser("record", help="record a signed paper form")
    record.add_argument("--student", type=int, required=True, help="student id")
    record.add_argument("--guardian", type=int, required=True, help="guardian id (roster)")
    record.add_argument("--decision", choices=("given", "refused"), required=True)
    record.add_argument("--date", type=_date, help="the date signed (default: today)")
    record.add_argument("--form", required=True, help="the form's number")
    record.add_argument("--by", **by)
    record.set_defaults(func=cmd_record)

    report = consent.add_parser("report", help="who is linked, consented, refused, waiting")
    report.add_argument("--class", dest="class_name", required=True, help="e.g. 5А")
    report.add_argument("--school", help="school id or external id, if the name is ambiguous")
    report.add_argument("--csv", help="write CSV to this file (default: standard output)")
    report.add_argument("--by", **by)
    report.set_defaults(func=cmd_report)

    publish = consent.add_parser("publish", help="a new consent text: ask everyone again")
    publish.add_argument("--school", required=True, help="school id or external id")
    publish.add_argument("--by", **by)
    publish.set_defaults(func=cmd_publish)

    one = codes.add_parser("issue-one", help="one student's code, or one named guardian's")
    one.add_argument("--student", type=int, required=True, help="student id")
    one.add_argument("--guardian", type=int, help="guardian id (roster): a named code")
    one.add_argument("--kind", choices=("guardian", "student"), default="guardian")
    one.add_argument("--json", action="store_true")
    one.add_argument("--by", **by)
    one.set_defaults(func=cmd_issue_one)

    transfer = students.add_parser("transfer", help="move a student to another class")
    transfer.add_argument("--student", type=int, required=True, help="student id")
    transfer.add_argument("--class", dest="class_name", required=True, help="e.g. 7Б")
    transfer.add_argument("--date", type=_date, help="from this date (default: today)")
    transfer.add_argument("--by", **by)
    transfer.set_defaults(func=cmd_transfer)
