"""The teachers screen: the child's class teacher and the teachers by subject."""

from __future__ import annotations

from html import escape

from screens.base import Screen
from screens.family import child_line
from screens.i18n import Translator
from screens.nav import menu_rows, paginate
from services.access import StudentAccess
from services.teachers import ClassTeachers


def teachers(t: Translator, granted: StudentAccess, view: ClassTeachers) -> Screen:
    lines = [t("teachers-title", klass=escape(view.class_name or "—")),
             child_line(t, granted), ""]
    lines.append(t("teachers-class-teacher", name=escape(view.class_teacher))
                 if view.class_teacher else t("teachers-no-class-teacher"))
    lines.append("")
    for line in view.subjects:
        if line.subgroup:
            lines.append(t("teachers-line-subgroup", subject=escape(line.subject),
                           group=escape(line.subgroup), name=escape(line.teacher)))
        else:
            lines.append(t("teachers-line", subject=escape(line.subject),
                           name=escape(line.teacher)))
    if not view.subjects:
        lines.append(t("teachers-none"))
    # A class has a few dozen lines at most: one page.
    return Screen(paginate(lines)[0], menu_rows(t))
