"""The payload of every poll button, apart from the screens, since pushes carry them too."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from screens.payloads import Payload


class PollAction(enum.StrEnum):
    MINE = "m"  # the author's polls
    NEW = "new"  # pick the class
    CLASS = "c"  # n: class id (0: the whole school); pick the audience
    AUDIENCE = "a"  # n: class id, p: audience; then type the question
    MULTIPLE = "u"  # toggles on the preview
    ANONYMOUS = "y"
    DURATION = "d"
    SEND = "s"
    CANCEL = "x"
    VOTE = "v"  # n: poll id, p: option
    RESULTS = "r"  # n: poll id
    CHART = "g"  # n: poll id


@dataclass(frozen=True)
class PollCb(Payload, prefix="pl"):
    a: PollAction
    n: int = 0
    p: int = 0
