# Marks: recent marks, by subject with the chart, the period overview, period/final marks.
marks-first-grade = В 1 классе отметки не ставятся.
marks-recent-title = 📊 <b>Оценки: { $name }</b>
marks-recent-empty = Оценок пока нет.
marks-page = Страница { $page } из { $pages }
marks-line = { $date } · { $subject }: { $was }<b>{ $value }</b> — { $work }
marks-line-weighted = { $date } · { $subject }: { $was }<b>{ $value }</b> — { $work }, вес { $weight }
marks-was = { $old } →{ " " }
marks-comment = { "    " }💬 { $comment }
marks-pass = зачёт
marks-fail = незачёт
marks-postponed = отсрочка
marks-average-value = { NUMBER($value, minimumFractionDigits: 2, maximumFractionDigits: 2) }
marks-no-average = —
marks-btn-by-subject = 📚 По предметам
marks-btn-overview = 📋 Сводка за период
marks-btn-recent = 🕘 Последние оценки
marks-btn-chart = 📈 График
marks-btn-subjects = ⬅️ Предметы
marks-subjects-title = 📚 <b>Оценки по предметам</b>, { $period }
    Выберите предмет:
marks-subjects-empty = Предметов пока нет.
marks-subject-button = { $subject } ({ $count })
marks-subject-title = 📚 <b>{ $subject }</b>, { $period }
marks-subject-empty = Оценок за этот период нет.
marks-subject-average = Средний балл: <b>{ $average }</b>
marks-subject-class-average = Средний балл класса: { $average }
marks-subject-count = { $count ->
    [one] { $count } оценка
    [few] { $count } оценки
   *[other] { $count } оценок
}
marks-chart-title = { $subject }, { $period }
marks-chart-average = Средний балл
marks-chart-marks = Оценки
marks-chart-weight = Размер точки — вес работы
marks-chart-caption = 📈 <b>{ $subject }</b>, { $period }
    Средний балл: <b>{ $average }</b> · { $count }
marks-chart-empty = Для графика нет оценок с баллами.
marks-overview-title = 📋 <b>{ $period }</b> ({ $start } — { $end }), { $name }
marks-overview-line = <b>{ $subject }</b>: { $marks } · ср. { $average }
marks-overview-line-final = <b>{ $subject }</b>: { $marks } · ср. { $average } · за период: <b>{ $final }</b>
marks-overview-no-marks = нет оценок
marks-overview-empty = Предметов пока нет.
marks-period-not-started = Этот период ещё не начался: он начнётся { $start }.
marks-final-title = 🏁 <b>Итоговые отметки: { $name }</b>
marks-final-empty = Итоговых отметок пока нет.
marks-final-group-period = <b>{ $period }</b>
marks-final-group-year = <b>Годовые отметки</b>
marks-final-group-exam = <b>Экзамены</b>
marks-final-group-final = <b>Итоговые отметки</b>
marks-final-line = { $subject }: <b>{ $value }</b>
marks-btn-final = 🏁 Итоговые
marks-no-period = Школа ещё не внесла учебные периоды.
marks-more = … и ещё { $count }
