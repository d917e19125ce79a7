# The school calendar of the student's grade; period names shared by the marks views.
calendar-period-quarter = { $number } четверть
calendar-period-half_year = { $number } полугодие
calendar-period-year = Учебный год
calendar-period-holidays = { $name }
calendar-title = 🗓 <b>Четверти и каникулы</b>, { $klass }
calendar-terms-title = <b>Учебные периоды</b>
calendar-term-line = { $name }: { $start } — { $end }
calendar-term-line-current = ▶️ <b>{ $name }: { $start } — { $end }</b> (сейчас)
calendar-year-line = { $name }: { $start } — { $end }
calendar-holidays-title = <b>Каникулы</b>
calendar-holiday-line = { $name }: { $start } — { $end }
calendar-holiday-line-current = ▶️ <b>{ $name }: { $start } — { $end }</b> (сейчас)
calendar-days-left = До конца периода «{ $name }» { $days ->
    [one] остался { $days } день
    [few] осталось { $days } дня
   *[other] осталось { $days } дней
}.
calendar-last-day = Сегодня последний день периода «{ $name }».
calendar-holidays-now = Сейчас каникулы, до { $end } включительно.
calendar-after-term = Период «{ $name }» закончился { $end }.
calendar-empty = Школа ещё не внесла учебные периоды.
