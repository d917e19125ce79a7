"""What the family views share: the line naming the child a view is about."""

from __future__ import annotations

from html import escape

from screens.i18n import Translator
from screens.menu import child_label
from services.access import StudentAccess


def child_line(t: Translator, granted: StudentAccess) -> str:
    """"👤 Миша, 5А" under a view's title; the name and the class name come escaped."""
    return escape(child_label(t, granted.child))
