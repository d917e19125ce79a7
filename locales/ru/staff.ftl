# Teacher views: today's lessons, classes, a class's marks table, a student's summary.
staff-today-title = 🗓 <b>Мои уроки: { $date }</b>
staff-today-empty = Сегодня уроков нет.
staff-lesson = { $slot }. { $time } · <b>{ $klass }</b> · { $subject }
staff-lesson-subgroup = { $slot }. { $time } · <b>{ $klass }</b> ({ $subgroup }) · { $subject }
staff-room = каб. { $room }
staff-status-scheduled = по расписанию
staff-status-held = ✅ проведён
staff-status-cancelled = ❌ отменён
staff-status-replaced = 🔁 замена: ведёт { $name }
staff-status-substitute = 🔁 вы заменяете: { $name }
staff-status-moved = ➡️ перенесён на { $date }, { $slot } урок
staff-status-moved-here = ⬅️ перенесён на сегодня
staff-classes-title = 🏫 <b>Классы</b>
    Выберите класс:
staff-classes-empty = Нет классов, которые вам доступны.
staff-class-title = 🏫 <b>{ $klass }</b>
    Выберите предмет:
staff-class-no-subjects = Нет предметов, которые вам доступны.
staff-btn-students = 👥 Ученики
staff-btn-classes = ⬅️ Классы
staff-btn-class = ⬅️ К классу
staff-table-title = 🏫 <b>{ $klass } · { $subject }</b>, { $period }
staff-table-line = { $name }: { $marks } — <b>{ $average }</b>
staff-table-line-empty = { $name }: —
staff-table-empty = В классе нет учеников.
staff-no-period = Учебные периоды ещё не внесены.
staff-students-title = 👥 <b>{ $klass }: ученики</b>
    Выберите ученика:
staff-students-empty = Нет учеников, которые вам доступны.
staff-summary-title = 👤 <b>{ $name }</b>, { $klass } — { $period }
staff-summary-line = { $subject }: <b>{ $average }</b> ({ $count })
staff-summary-absences = Пропуски за период: <b>{ $total }</b>
staff-absence-absent = Н (без причины): { $count }
staff-absence-ill = Б (болезнь): { $count }
staff-absence-excused = УП (уважительная): { $count }
staff-absence-late = ОП (опоздания): { $count }
