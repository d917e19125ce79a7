"""The payload of every notice button, apart from the screens, since pushes carry one too."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from screens.payloads import Payload


class NoticeAction(enum.StrEnum):
    NEW = "new"  # start a notice: pick the class
    CLASS = "c"  # n: class id (0: the whole school); pick the audience (or a subgroup)
    SUBGROUP = "g"  # n: class id, g: subgroup id; pick the audience
    AUDIENCE = "a"  # n: class id, p: audience, g: subgroup id (0: all); then the text
    URGENT = "u"  # toggle urgency on the preview
    SEND = "s"
    CANCEL = "x"
    MINE = "m"  # the author's notices
    STATUS = "t"  # n: notice id; the counts
    PENDING = "p"  # n: notice id; who has not acknowledged
    REMIND = "r"  # n: notice id
    ACK = "k"  # n: notice id; pressed on the push
    WALL = "w"  # p: page of the recipient's wall


@dataclass(frozen=True)
class NoticeCb(Payload, prefix="nc"):
    a: NoticeAction
    n: int = 0
    p: int = 0
    g: int = 0
