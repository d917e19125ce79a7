# Teacher views: today's lessons, classes, a class's marks table, a student's summary.
staff-today-title = 🗓 <b>My lessons: { $date }</b>
staff-today-empty = No lessons today.
staff-lesson = { $slot }. { $time } · <b>{ $klass }</b> · { $subject }
staff-lesson-subgroup = { $slot }. { $time } · <b>{ $klass }</b> ({ $subgroup }) · { $subject }
staff-room = room { $room }
staff-status-scheduled = as scheduled
staff-status-held = ✅ held
staff-status-cancelled = ❌ cancelled
staff-status-replaced = 🔁 replaced: { $name } teaches
staff-status-substitute = 🔁 you stand in for { $name }
staff-status-moved = ➡️ moved to { $date }, lesson { $slot }
staff-status-moved-here = ⬅️ moved to today
staff-classes-title = 🏫 <b>Classes</b>
    Choose a class:
staff-classes-empty = There are no classes you can open.
staff-class-title = 🏫 <b>{ $klass }</b>
    Choose a subject:
staff-class-no-subjects = There are no subjects you can open.
staff-btn-students = 👥 Students
staff-btn-classes = ⬅️ Classes
staff-btn-class = ⬅️ Back to class
staff-table-title = 🏫 <b>{ $klass } · { $subject }</b>, { $period }
staff-table-line = { $name }: { $marks } — <b>{ $average }</b>
staff-table-line-empty = { $name }: —
staff-table-empty = There are no students in the class.
staff-no-period = The terms have not been entered yet.
staff-students-title = 👥 <b>{ $klass }: students</b>
    Choose a student:
staff-students-empty = There are no students you can open.
staff-summary-title = 👤 <b>{ $name }</b>, { $klass } — { $period }
staff-summary-line = { $subject }: <b>{ $average }</b> ({ $count })
staff-summary-absences = Absences this period: <b>{ $total }</b>
staff-absence-absent = absent (no reason): { $count }
staff-absence-ill = ill: { $count }
staff-absence-excused = excused: { $count }
staff-absence-late = late: { $count }
