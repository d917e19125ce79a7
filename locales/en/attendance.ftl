# Attendance: absent without a reason, ill, excused, late.
attendance-period-title = 🚶 <b>Attendance: { $period }</b>
attendance-range-title = 🚶 <b>Attendance</b>
attendance-week-title = 🚶 <b>Attendance for the week</b>
attendance-range = { $start } — { $end }
attendance-count-absent = ❗ Absent without a reason: { $count } { $count ->
    [one] lesson
   *[other] lessons
}
attendance-count-ill = 🤒 Ill: { $count } { $count ->
    [one] lesson
   *[other] lessons
}
attendance-count-excused = 📄 Excused: { $count } { $count ->
    [one] lesson
   *[other] lessons
}
attendance-count-late = ⏰ Late: { $count } { $count ->
    [one] lesson
   *[other] lessons
}
attendance-none = No missed lessons.
attendance-list-title = <b>Missed lessons:</b>
attendance-line = { $date }, lesson { $slot }, { $subject } — { $reason }
attendance-reason-absent = no reason given
attendance-reason-ill = illness
attendance-reason-excused = excused
attendance-reason-late = late
attendance-reason-late-minutes = late by { $minutes } min
attendance-page = Page { $page } of { $pages }
attendance-btn-period = 📊 This term
attendance-btn-week = 🗓 By week
attendance-btn-prev-period = ◀️ Previous term
attendance-btn-next-period = Next term ▶️
attendance-btn-prev-week = ◀️ Previous week
attendance-btn-next-week = Next week ▶️
attendance-btn-prev-page = ◀️ Page { $page }
attendance-btn-next-page = Page { $page } ▶️
