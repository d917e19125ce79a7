"""Every kind of callback the bot has, forged to name another family's child, another
class or another school: a short "not available", nothing changes, the refusal is audited.
A new kind of callback without a forged case here fails `test_every_callback_is_covered`."""

from __future__ import annotations

from handlers.attendance import AtCb
from handlers.codes import CodesCb, CodeStep, OneCodeCb, StaffCodeCb
from handlers.complaints import ComplaintCb
from handlers.consents import FormCb, Step
from handlers.feeds import FeedCb
from handlers.forecast import ForecastCb, ForecastYearCb
from handlers.homework import HwCb
from handlers.marks import MarksCb
from handlers.menu import ChildCb, MenuCb
from handlers.messages import HoursCb, MsgCb
from handlers.notices import NoticeCb
from handlers.notification_settings import NotifyCb
from handlers.polls import PollCb
from handlers.quick_entry import QuickCb, QuickStep
from handlers.reports import ReportsCb
from handlers.settings import SetCb
from handlers.staff import LessonsCb, StaffCb
from handlers.start import ConsentCb
from handlers.timetable import ScheduledTestsCb, TtCb
from screens.complaints import ComplaintAction
from screens.feeds import FeedAction
from screens.messages import HoursChoice, MsgAction
from screens.notice_cb import NoticeAction
from screens.payloads import Payload
from screens.poll_cb import PollAction
from screens.reports import ReportChoice, ReportsAction
from tests.conftest import BotEnv
from tests.forged import changed, data_fingerprint, payload_kinds

GUARDIAN, MATH_TEACHER, CLASS_TEACHER, ADMIN = 1001, 2002, 2001, 2003
NOT_AVAILABLE = "Это недоступно."


async def _ids(env: BotEnv) -> dict[str, int]:
    async def one(sql: str) -> int:
        return int(await env.scalar(sql))

    return {
        # A 5А classmate of the guardian's child: same class, another family.
        "stranger": await one(
            "SELECT s.id FROM students s JOIN classes c ON c.id = s.class_id "
            "WHERE c.name = '5А' AND s.id NOT IN (SELECT student_id FROM account_links "
            "WHERE student_id IS NOT NULL) ORDER BY s.id LIMIT 1"),
        "lyceum": await one(
            "SELECT s.id FROM students s JOIN schools sc ON sc.id = s.school_id "
            "WHERE sc.external_id = 'demo-lyceum' ORDER BY s.id LIMIT 1"),
        "lyceum_class": await one(
            "SELECT c.id FROM classes c JOIN schools sc ON sc.id = c.school_id "
            "WHERE sc.external_id = 'demo-lyceum' LIMIT 1"),
        "class_1a": await one("SELECT id FROM classes WHERE name = '1А'"),
        "pupil_1a": await one(
            "SELECT s.id FROM students s JOIN classes c ON c.id = s.class_id "
            "WHERE c.name = '1А' AND s.id NOT IN (SELECT student_id FROM account_links "
            "WHERE student_id IS NOT NULL) ORDER BY s.id LIMIT 1"),
        "class_7b": await one("SELECT id FROM classes WHERE name = '7Б'"),
        "lyceum_staff": await one(
            "SELECT s.id FROM staff s JOIN schools sc ON sc.id = s.school_id "
            "WHERE sc.external_id = 'demo-lyceum' LIMIT 1"),
        "lyceum_guardian": await one(
            "SELECT g.id FROM guardians g JOIN schools sc ON sc.id = g.school_id "
            "WHERE sc.external_id = 'demo-lyceum' ORDER BY g.id LIMIT 1"),
        "russian": await one(
            "SELECT s.id FROM subjects s JOIN schools sc ON sc.id = s.school_id "
            "WHERE sc.external_id = 'demo-school' AND s.name = 'Русский язык'"),
        # Today's Russian lesson in 5А: the class teacher's, not the maths teacher's.
        "russian_lesson": await one(
            "SELECT l.id FROM lessons l JOIN subjects s ON s.id = l.subject_id JOIN classes c "
            "ON c.id = l.class_id WHERE c.name = '5А' AND s.name = 'Русский язык' AND "
            "l.date = DATE '2026-11-23' ORDER BY l.slot LIMIT 1"),
    }


def _forged(ids: dict[str, int]) -> list[tuple[int, Payload]]:
    """(who clicks, what they forged). Each student-bearing view is forged both with a
    classmate of another family and with a student of another school."""
    cases: list[tuple[int, Payload]] = []
    for s in (ids["stranger"], ids["lyceum"]):
        cases += [(GUARDIAN, cb) for cb in (
            ChildCb(student_id=s), ConsentCb(student_id=s, accept=True),
            SetCb(action="unlink-ask", s=s), SetCb(action="unlink", s=s),
            SetCb(action="withdraw", s=s),
            TtCb(v="d", s=s), TtCb(v="w", s=s, d=20261123), ScheduledTestsCb(s=s),
            HwCb(v="d", s=s), HwCb(v="l", s=s), HwCb(v="j", s=s, j=ids["russian"]),
            HwCb(v="t", s=s, j=ids["russian"]), AtCb(v="p", s=s), AtCb(v="w", s=s),
            MarksCb(v="r", s=s), MarksCb(v="s", s=s), MarksCb(v="m", s=s, j=ids["russian"]),
            MarksCb(v="c", s=s, j=ids["russian"]), MarksCb(v="o", s=s),
            MarksCb(v="f", s=s), ForecastCb(s=s), ForecastYearCb(s=s), NotifyCb(a="subj", s=s),
            NotifyCb(a="ms", v=str(ids["russian"]), s=s),
            MsgCb(MsgAction.WRITE, s=s, staff=ids["lyceum_staff"]),
            FeedCb(FeedAction.ISSUE, s=s), FeedCb(FeedAction.REVOKE, s=s),
        )]
    cases += [
        # A subject teacher: another subject in their own class, a class they don't teach,
        # another school's class.
        (MATH_TEACHER, StaffCb(v="t", c=ids["class_7b"], j=ids["russian"])),
        (MATH_TEACHER, StaffCb(v="c", c=ids["class_1a"])),
        (MATH_TEACHER, StaffCb(v="l", c=ids["lyceum_class"])),
        (MATH_TEACHER, StaffCb(v="u", s=ids["pupil_1a"])),
        (MATH_TEACHER, StaffCb(v="u", s=ids["lyceum"])),
        (MATH_TEACHER, CodesCb(class_id=ids["class_7b"])),
        (MATH_TEACHER, StaffCodeCb(staff_id=ids["lyceum_staff"])),
        (CLASS_TEACHER, CodesCb(class_id=ids["lyceum_class"])),
        # A guardian is not staff.
        (GUARDIAN, StaffCb(v="c", c=ids["class_7b"])),
        (GUARDIAN, CodesCb(class_id=ids["class_7b"])),
        (GUARDIAN, MenuCb(area="codes")),
        # Codes for one person, bulk re-issues and staff chats: only within one's reach.
        (MATH_TEACHER, CodesCb(class_id=ids["class_7b"], v=CodeStep.BULK)),
        (MATH_TEACHER, CodesCb(class_id=ids["class_7b"], v=CodeStep.SURE)),
        (CLASS_TEACHER, CodesCb(class_id=ids["lyceum_class"], v=CodeStep.ONE)),
        (CLASS_TEACHER, OneCodeCb(s=ids["pupil_1a"])),
        (CLASS_TEACHER, OneCodeCb(s=ids["lyceum"], k="s")),
        (CLASS_TEACHER, OneCodeCb(s=ids["stranger"], k="x")),
        (GUARDIAN, OneCodeCb(s=ids["stranger"], k="g")),
        (MATH_TEACHER, StaffCodeCb(staff_id=ids["lyceum_staff"], r=True)),
        (ADMIN, StaffCodeCb(staff_id=ids["lyceum_staff"], r=True, sure=True)),
        # Consent forms and the class picture: the class teacher's class, or keepers'.
        (GUARDIAN, FormCb(v=Step.REPORT, c=ids["class_7b"])),
        (MATH_TEACHER, FormCb(v=Step.STUDENTS, c=ids["class_7b"])),
        (CLASS_TEACHER, FormCb(v=Step.REPORT, c=ids["lyceum_class"])),
        (CLASS_TEACHER, FormCb(v=Step.GUARDIANS, s=ids["pupil_1a"])),
        (CLASS_TEACHER, FormCb(v=Step.DECISION, s=ids["stranger"], g=ids["lyceum_guardian"])),
        (ADMIN, FormCb(v=Step.FORM, s=ids["lyceum"], g=ids["lyceum_guardian"], given=True)),
        # Reports: a class teacher asks for another class, another school or the whole
        # school; a subject teacher and a guardian for anything.
        *((CLASS_TEACHER, ReportsCb(ReportsAction.MAKE, r, c)) for r, c in (
            (ReportChoice.PROGRESS, ids["class_7b"]), (ReportChoice.PROGRESS, 0),
            (ReportChoice.ACTIVITY, 0), (ReportChoice.EXTRACTS, ids["class_7b"]),
            (ReportChoice.TERM_SHEET, ids["lyceum_class"]),
            (ReportChoice.CONSENTS, ids["lyceum_class"]))),
        (CLASS_TEACHER, ReportsCb(ReportsAction.CLASSES, ReportChoice.ACTIVITY)),
        (CLASS_TEACHER, ReportsCb(ReportsAction.PERIODS, ReportChoice.PROGRESS, 0)),
        (CLASS_TEACHER, ReportsCb(ReportsAction.PERIODS, ReportChoice.FINALS,
                                  ids["class_7b"])),
        (MATH_TEACHER, ReportsCb(ReportsAction.MAKE, ReportChoice.COMPLETION, ids["class_7b"])),
        (MATH_TEACHER, ReportsCb(ReportsAction.MAKE, ReportChoice.EXTRACTS, ids["class_7b"])),
        (GUARDIAN, ReportsCb(ReportsAction.CLASSES, ReportChoice.PROGRESS)),
        (GUARDIAN, MenuCb(area="reports")),
        # Lessons are a staff member's own; the school's day is for school-wide staff.
        (GUARDIAN, LessonsCb(v="w", d=20261123)),
        (MATH_TEACHER, LessonsCb(v="s")),
        # Message threads: nobody reads, writes into or mutes a thread that is not theirs
        # (the demo has none yet); office hours are a teacher's own setting.
        (GUARDIAN, MsgCb(MsgAction.OPEN, th=1)),
        (GUARDIAN, MsgCb(MsgAction.REPLY, th=1)),
        (MATH_TEACHER, MsgCb(MsgAction.MUTE, th=1, on=True)),
        (CLASS_TEACHER, MsgCb(MsgAction.BLOCK, th=1, on=True)),
        (GUARDIAN, HoursCb(HoursChoice.H08_16)),
        (GUARDIAN, HoursCb()),
        # Notices: only to classes one teaches or leads (the whole school for managers);
        # counts, non-readers and reminders only of one's own; receipts only one's own.
        (MATH_TEACHER, NoticeCb(NoticeAction.CLASS, ids["class_1a"])),
        (MATH_TEACHER, NoticeCb(NoticeAction.AUDIENCE, ids["class_1a"], 2)),
        (CLASS_TEACHER, NoticeCb(NoticeAction.CLASS, 0)),
        (ADMIN, NoticeCb(NoticeAction.AUDIENCE, ids["lyceum_class"], 0)),
        (GUARDIAN, NoticeCb(NoticeAction.NEW)),
        (GUARDIAN, MenuCb(area="notices")),
        (GUARDIAN, NoticeCb(NoticeAction.ACK, 1)),
        (CLASS_TEACHER, NoticeCb(NoticeAction.STATUS, 1)),
        (CLASS_TEACHER, NoticeCb(NoticeAction.PENDING, 1)),
        (CLASS_TEACHER, NoticeCb(NoticeAction.REMIND, 1)),
        # Complaints: only the school's admins, deputies and the director handle them.
        (CLASS_TEACHER, ComplaintCb(ComplaintAction.OPEN, 1)),
        (GUARDIAN, ComplaintCb(ComplaintAction.TAKE, 1)),
        (GUARDIAN, ComplaintCb(ComplaintAction.LIST, 0, 0)),
        (MATH_TEACHER, ComplaintCb(ComplaintAction.ANSWER, 1)),
        (GUARDIAN, MenuCb(area="complaints-admin")),
        (ADMIN, ComplaintCb(ComplaintAction.CATEGORY, 0, 9)),
        # Polls: asked only where one may post; votes only by those asked; results only
        # of one's own.
        (MATH_TEACHER, PollCb(PollAction.CLASS, ids["class_1a"])),
        (CLASS_TEACHER, PollCb(PollAction.AUDIENCE, ids["lyceum_class"], 0)),
        (GUARDIAN, PollCb(PollAction.VOTE, 1, 0)),
        (GUARDIAN, PollCb(PollAction.RESULTS, 1)),
        (GUARDIAN, PollCb(PollAction.CHART, 1)),
        (GUARDIAN, MenuCb(area="polls")),
        # The evening summary of several children: not for a chat with fewer than two.
        (MATH_TEACHER, NotifyCb(a="fam", v="1")),
        # Quick entry: only a lesson one teaches, today, with its own students.
        (GUARDIAN, MenuCb(area="quick")),
        (GUARDIAN, QuickCb(QuickStep.OPEN, ids["russian_lesson"])),
        *((MATH_TEACHER, QuickCb(step, ids["russian_lesson"], ids["stranger"]))
          for step in QuickStep),
        (CLASS_TEACHER, QuickCb(QuickStep.TOGGLE, ids["russian_lesson"], ids["lyceum"])),
        (ADMIN, QuickCb(QuickStep.SAVE, ids["russian_lesson"])),
    ]
    return cases


def test_every_callback_is_covered() -> None:
    ids = dict.fromkeys(("stranger", "lyceum", "lyceum_class", "class_1a", "pupil_1a",
                         "class_7b", "lyceum_staff", "lyceum_guardian", "russian",
                         "russian_lesson"), 1)
    covered = {type(cb) for _, cb in _forged(ids)}
    assert set(payload_kinds()) - covered == set()


async def test_forged_callbacks_are_refused(bot_env: BotEnv) -> None:
    ids = await _ids(bot_env)
    cases = _forged(ids)
    for user in {u for u, _ in cases}:
        await bot_env.client(user).send("/menu")
    before = await data_fingerprint(bot_env)
    denied_before = await bot_env.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'access_denied'")
    for user, data in cases:
        packed = data.pack()
        assert len(packed.encode()) <= 64
        replies = await bot_env.client(user).click(packed)
        assert replies and replies[-1].alert == NOT_AVAILABLE, (user, packed, replies)
        assert all(r.method == "answerCallbackQuery" for r in replies), (user, packed)
    denied = await bot_env.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'access_denied'") - denied_before
    # Menu areas a chat lacks are refused without naming anyone; the rest are audited.
    assert denied >= len(cases) - 1
    # The chats' last-seen time is the only thing a click may touch.
    assert changed(before, await data_fingerprint(bot_env)) == set()
    assert await bot_env.scalar(
        "SELECT count(*) FROM accounts WHERE active_student_id = :s OR active_student_id = :l",
        s=ids["stranger"], l=ids["lyceum"]) == 0


async def test_every_forged_case_from_a_group_shows_nothing(bot_env: BotEnv) -> None:
    """The same presses made on a message in a group: only the private-chat notice, and no
    row anywhere changes (not even the account's last-seen time: groups touch nothing)."""
    ids = await _ids(bot_env)
    cases = _forged(ids)
    before = await data_fingerprint(bot_env)
    for n, (user, data) in enumerate(cases):
        group = bot_env.client(user, chat_id=-1001000000000 - n, chat_type="supergroup")
        replies = await group.click(data.pack())
        assert [r.method for r in replies] == ["answerCallbackQuery"], (user, data)
        assert "личном чате" in (replies[0].alert or ""), (user, data)
    assert await data_fingerprint(bot_env) == before


async def test_impossible_numbers_are_refused_before_any_query(bot_env: BotEnv) -> None:
    guardian = bot_env.client(GUARDIAN)
    await guardian.send("/menu")
    for packed in ("mk:r:99999999999999999999:0:0", "sv:u:0:0:0:0:-9223372036854775809",
                   "tt:d:1:9223372036854775808:0", "ch:4294967296"):
        replies = await guardian.click(packed)
        assert replies[-1].alert == NOT_AVAILABLE, packed
    assert await bot_env.scalar(
        "SELECT count(*) FROM audit_log WHERE details->>'what' = 'malformed_callback'") == 4


def test_overlong_lines_are_cut_without_breaking_html() -> None:
    from screens.html_text import shorten
    from screens.nav import paginate

    line = "<b>Тема</b>: " + "слово &amp; " * 400
    cut = shorten(line, 100)
    assert len(cut) <= 100 and cut.endswith("…") and "<" not in cut
    assert cut.count("&") == cut.count("&amp;")  # no entity cut in half
    assert all(len(page) <= 3896 for page in paginate([line] * 5, header="<b>H</b>"))
