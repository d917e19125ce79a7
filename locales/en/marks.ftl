# Marks: recent marks, by subject with the chart, the period overview, period/final marks.
marks-first-grade = First-graders get no marks.
marks-recent-title = 📊 <b>Marks: { $name }</b>
marks-recent-empty = No marks yet.
marks-page = Page { $page } of { $pages }
marks-line = { $date } · { $subject }: { $was }<b>{ $value }</b> — { $work }
marks-line-weighted = { $date } · { $subject }: { $was }<b>{ $value }</b> — { $work }, weight { $weight }
marks-was = { $old } →{ " " }
marks-comment = { "    " }💬 { $comment }
marks-pass = pass
marks-fail = fail
marks-postponed = postponed
marks-average-value = { NUMBER($value, minimumFractionDigits: 2, maximumFractionDigits: 2) }
marks-no-average = —
marks-btn-by-subject = 📚 By subject
marks-btn-overview = 📋 Period overview
marks-btn-recent = 🕘 Recent marks
marks-btn-chart = 📈 Chart
marks-btn-subjects = ⬅️ Subjects
marks-subjects-title = 📚 <b>Marks by subject</b>, { $period }
    Choose a subject:
marks-subjects-empty = No subjects yet.
marks-subject-button = { $subject } ({ $count })
marks-subject-title = 📚 <b>{ $subject }</b>, { $period }
marks-subject-empty = No marks in this period.
marks-subject-average = Average: <b>{ $average }</b>
marks-subject-class-average = Class average: { $average }
marks-subject-count = { $count ->
    [one] { $count } mark
   *[other] { $count } marks
}
marks-chart-title = { $subject }, { $period }
marks-chart-average = Average
marks-chart-marks = Marks
marks-chart-weight = Dot size — the work's weight
marks-chart-caption = 📈 <b>{ $subject }</b>, { $period }
    Average: <b>{ $average }</b> · { $count }
marks-chart-empty = There are no graded marks to chart.
marks-overview-title = 📋 <b>{ $period }</b> ({ $start } — { $end }), { $name }
marks-overview-line = <b>{ $subject }</b>: { $marks } · avg { $average }
marks-overview-line-final = <b>{ $subject }</b>: { $marks } · avg { $average } · period mark: <b>{ $final }</b>
marks-overview-no-marks = no marks
marks-overview-empty = No subjects yet.
marks-period-not-started = This period has not started yet: it begins on { $start }.
marks-final-title = 🏁 <b>Final marks: { $name }</b>
marks-final-empty = No final marks yet.
marks-final-group-period = <b>{ $period }</b>
marks-final-group-year = <b>Year marks</b>
marks-final-group-exam = <b>Exams</b>
marks-final-group-final = <b>Final marks</b>
marks-final-line = { $subject }: <b>{ $value }</b>
marks-btn-final = 🏁 Final marks
marks-no-period = The school has not entered its terms yet.
marks-more = … and { $count } more
