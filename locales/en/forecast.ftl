# The term forecast view (screens/forecast.py).
forecast-title = 🔮 <b>Term mark forecast</b> — { $name }, { $klass }
forecast-period = { $period }, until { $end }
forecast-no-period = No reporting period found: the forecast cannot be computed yet.
forecast-empty = No marks in this period yet.
forecast-first-grade = First-graders get no marks, so there is no forecast ({ $name }).
forecast-line = • <b>{ $subject }</b>: average { $average } → forecast <b>{ $forecast }</b> ({ $count ->
    [one] { $count } mark
   *[other] { $count } marks
})
forecast-line-empty = • { $subject }: no marks yet
forecast-need = { "  " }↗️ for a { $target }: { $n ->
    [one] { $n } more 5
   *[other] { $n } more 5s
} (weight { $weight })
forecast-out-of-reach = { "  " }↗️ a { $target } is out of reach this period
forecast-risk = { "  " }↘️ { $n ->
    [one] { $n } mark of 2 would drop it
   *[other] { $n } marks of 2 would drop it
} to { $target }
forecast-footnote = <i>Weighted average by work weight; pass/fail marks do not count.</i>
forecast-btn-year = 📅 Forecast for the year
forecast-btn-term = 🔮 Forecast for the term
