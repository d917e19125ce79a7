# Attendance (посещаемость). Н — absent without a reason, Б — ill, УП — excused, ОП — late.
attendance-period-title = 🚶 <b>Посещаемость: { $period }</b>
attendance-range-title = 🚶 <b>Посещаемость</b>
attendance-week-title = 🚶 <b>Посещаемость за неделю</b>
attendance-range = { $start } — { $end }
attendance-count-absent = ❗ Без уважительной причины: { $count } { $count ->
    [one] урок
    [few] урока
   *[many] уроков
}
attendance-count-ill = 🤒 По болезни: { $count } { $count ->
    [one] урок
    [few] урока
   *[many] уроков
}
attendance-count-excused = 📄 По уважительной причине: { $count } { $count ->
    [one] урок
    [few] урока
   *[many] уроков
}
attendance-count-late = ⏰ Опоздания: { $count } { $count ->
    [one] урок
    [few] урока
   *[many] уроков
}
attendance-none = Пропусков нет.
attendance-list-title = <b>Пропущенные уроки:</b>
attendance-line = { $date }, { $slot } урок, { $subject } — { $reason }
attendance-reason-absent = без уважительной причины
attendance-reason-ill = болезнь
attendance-reason-excused = уважительная причина
attendance-reason-late = опоздание
attendance-reason-late-minutes = опоздание на { $minutes } мин.
attendance-page = Страница { $page } из { $pages }
attendance-btn-period = 📊 За период
attendance-btn-week = 🗓 За неделю
attendance-btn-prev-period = ◀️ Пред. период
attendance-btn-next-period = След. период ▶️
attendance-btn-prev-week = ◀️ Пред. неделя
attendance-btn-next-week = След. неделя ▶️
attendance-btn-prev-page = ◀️ Стр. { $page }
attendance-btn-next-page = Стр. { $page } ▶️
