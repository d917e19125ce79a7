# The term forecast view (screens/forecast.py).
forecast-title = 🔮 <b>Прогноз итоговых отметок</b> — { $name }, { $klass }
forecast-period = { $period }, до { $end }
forecast-no-period = Учебный период не найден: прогноз пока не посчитать.
forecast-empty = Оценок в этом периоде пока нет.
forecast-first-grade = У первоклассников нет отметок, поэтому и прогноза нет ({ $name }).
forecast-line = • <b>{ $subject }</b>: средний { $average } → прогноз <b>{ $forecast }</b> ({ $count ->
    [one] { $count } оценка
    [few] { $count } оценки
   *[many] { $count } оценок
})
forecast-line-empty = • { $subject }: оценок пока нет
forecast-need = { "  " }↗️ до { $target }: { $n ->
    [one] ещё { $n } пятёрка
    [few] ещё { $n } пятёрки
   *[many] ещё { $n } пятёрок
} (вес { $weight })
forecast-out-of-reach = { "  " }↗️ { $target } в этом периоде уже не получить
forecast-risk = { "  " }↘️ { $n ->
    [one] { $n } двойка опустит
    [few] { $n } двойки опустят
   *[many] { $n } двоек опустят
} до { $target }
forecast-footnote = <i>Средний взвешенный по весам работ; зачёты не учитываются.</i>
forecast-btn-year = 📅 Прогноз за год
forecast-btn-term = 🔮 Прогноз за период
