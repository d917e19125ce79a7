"""Printable code slips for a class, texts from Fluent (the layout is in code_slips)."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from services.code_slips import Slip, SlipLabels, render_slips_pdf
from services.i18n import Translator
from services.linking import IssuedCode


def class_slips_pdf(issued: Sequence[IssuedCode], class_name: str, t: Translator,
                    bot_username: str, timezone: str = "Europe/Moscow") -> bytes:
    tz = ZoneInfo(timezone)
    slips = [
        Slip(student_name=c.person_name, class_name=c.class_name or class_name,
             kind=c.kind.value, code=c.code, deep_link=c.deep_link(bot_username),
             expires_at_text=c.expires_at.astimezone(tz).strftime("%d.%m.%Y %H:%M"))
        for c in issued
    ]
    labels = SlipLabels(for_guardian=t("slip-for-guardian"), for_student=t("slip-for-student"),
                        code=t("slip-code"), expires=t("slip-expires"),
                        instruction=t("slip-instruction", bot=bot_username))
    return render_slips_pdf(slips, title=t("slip-title", klass=class_name), labels=labels)
