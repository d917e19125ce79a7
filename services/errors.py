"""Domain errors: one base, one subclass per thing a user can run into.

Services raise them; they never talk to the user. Each carries the Fluent id of the short
reply the bot gives (`text_id`) and the arguments for it, so the one errors router at the
edge turns any of them into a message, and the CLI into a line on stderr. A refusal
(`AccessDenied`) also carries what to audit: the edge writes that row in its own
transaction, after the update's work was rolled back, so the record survives both the
rollback and a reply that fails to send.
"""

from __future__ import annotations

import datetime as dt
from typing import Any


class DiaryError(Exception):
    """Base of every domain error. `text_id` names the reply in the Fluent files."""

    text_id = "error-generic"
    alert = True  # on a button press, show it as an alert rather than a toast
    # The work done before the raise is kept: the edge commits it instead of rolling back
    # (a failed code's attempt row, which the next attempts are counted by).
    keeps_work = False

    def __init__(self, detail: str = "", **text_args: Any) -> None:
        super().__init__(detail or type(self).__name__)
        self.detail = detail
        self.text_args = text_args


class NotLinked(DiaryError):
    """The chat is linked to nobody the request needs."""

    text_id = "start-need-code"


class AccessDenied(DiaryError):
    """The account may not see or do this (often forged callback data). Always audited."""

    text_id = "not-available"

    def __init__(self, what: str, *, account_id: int | None = None, **ids: Any) -> None:
        super().__init__(what)
        self.what = what
        self.account_id = account_id
        self.ids = ids


class ConsentRequired(AccessDenied):
    """The student's own chat asks for their diary while no legal representative's consent
    to the current text is on record (152-FZ): nothing is shown until there is one."""

    text_id = "consent-waiting-short"  # short: it may be a button's alert (200 characters)

    def __init__(self, *, account_id: int, student_id: int) -> None:
        super().__init__("consent_required", account_id=account_id, student_id=student_id)


class NotFound(DiaryError):
    """A record named by id does not exist (or not in this school)."""

    text_id = "not-available"


class NoPeriod(NotFound):
    """The school has no study period covering the date asked about."""

    text_id = "marks-no-period"


class CodeInvalid(DiaryError):
    """A link code that is unknown, used, revoked or expired: the same answer for all.

    It carries how long codes are valid (`lifetime_hours`) and, once a chat has failed
    often, how many tries it has left before the lock (`tries_left`, else None). Neither
    depends on which code was sent, so the answer stays no oracle."""

    text_id = "link-code-invalid"
    alert = False
    keeps_work = True  # the failure and its audit row count towards the attempt limit

    def __init__(self, lifetime_hours: int = 72, tries_left: int | None = None) -> None:
        super().__init__("code invalid", hours=lifetime_hours)
        self.lifetime_hours = lifetime_hours
        self.tries_left = tries_left
        if tries_left is not None:
            self.text_id = "link-code-invalid-left"
            self.text_args["left"] = tries_left


class TooManyAttempts(DiaryError):
    """Too many wrong codes lately; the next try is allowed at `retry_at` (UTC)."""

    text_id = "link-too-many"
    alert = False

    def __init__(self, retry_at: dt.datetime) -> None:
        super().__init__(f"retry at {retry_at.isoformat()}")
        self.retry_at = retry_at


class StaffChatLive(DiaryError):
    """The colleague already has a live chat: a new code means replacing it, asked first."""

    text_id = "not-available"




class TextTooLong(DiaryError):
    """Typed text that is empty or over the limit for what it is (`limit` characters)."""

    text_id = "text-too-long"
    alert = False

    def __init__(self, limit: int) -> None:
        super().__init__(f"limit {limit}", limit=limit)


class AlreadyRemindedToday(DiaryError):
    """A notice's non-readers were reminded today already (one reminder a day at most)."""

    text_id = "notice-reminded-today"


class BadConsentForm(DiaryError):
    """A paper form's details that cannot be right (a future date, no number)."""

    text_id = "consent-form-bad"
    alert = False


class BadPreference(DiaryError):
    """A settings value outside the allowed choices (forged callback data)."""

    text_id = "not-available"


class InvalidJournalData(DiaryError):
    """Journal data that breaks a rule (a first-grader's mark, a lesson slot out of range)."""

    text_id = "not-available"


class InvalidMark(InvalidJournalData):
    """A mark outside the scale, or for a student who gets no marks."""


class DemoResetRefused(DiaryError):
    """`diary demo --reset` on a database holding schools other than the demo's."""

    text_id = "not-available"

    def __init__(self, schools: list[str]) -> None:
        super().__init__(", ".join(schools))
        self.schools = schools


class MessageTooLong(DiaryError):
    """A message to a thread over the length a relayed message may have (`limit`)."""

    text_id = "msg-too-long"
    alert = False


class MessageEmpty(DiaryError):
    """Nothing to relay: no text, photo or document."""

    text_id = "msg-empty"
    alert = False


class TooManyMessages(DiaryError):
    """The chat wrote too many messages lately (the per-chat flood limit)."""

    text_id = "msg-flood"
    alert = False


class ThreadBlocked(DiaryError):
    """The teacher has blocked the thread: the family can no longer write to it."""

    text_id = "msg-blocked"
    alert = False
