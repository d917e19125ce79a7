## Reports (XLSX) and paper extracts (PDF)

menu-staff-reports = 📑 Отчёты
reports-choose = <b>Отчёты</b>
    Выберите отчёт: файл придёт сюда же.
reports-choose-class = <b>{ $report }</b>
    Для какого класса?
reports-latest-period = ⏮ Последняя завершённая четверть (полугодие)
reports-choose-period = <b>{ $report }</b>
    За какой период?
reports-whole-school = 🏫 Вся школа
reports-btn-extracts = 🖨 Выписки на бумаге
reports-sent = { $report } · { $scope }
reports-none = Отчётов для вас нет.
report-unknown = Такого отчёта нет.
report-no-period = Такого периода в школе нет.

report-title-progress = Успеваемость и качество знаний
report-title-completion = Заполнение журнала
report-title-curriculum = Выполнение учебного плана
report-title-finals = Проверка итоговых отметок
report-title-activity = Активность пользователей за месяц
report-title-consents = Согласия на обработку персональных данных
report-title-term-sheet = Ведомость отметок

report-class = класс { $klass }
report-made-on = сформирован { $date }

report-sheet-classes = По классам
report-sheet-subjects = По предметам
report-sheet-accumulation = Накопляемость
report-sheet-unfilled = Темы и задания
report-sheet-late = Позднее заполнение
report-sheet-missing = Отметки за период
report-sheet-curriculum = Учебный план
report-sheet-finals = Нет отметки
report-sheet-consents = Согласия
report-sheet-activity = Активность
report-sheet-term = Отметки за период
report-sheet-year = Годовые отметки

report-col-number = №
report-col-class = Класс
report-col-subject = Предмет
report-col-period = Период
report-col-student = Ученик
report-col-teacher = Учитель
report-col-students = Учеников
report-col-enrolled = Учеников в классе
report-col-graded = Аттестовано
report-col-progress = Успеваемость
report-col-quality = Качество знаний
report-col-average = Средний балл
report-col-marks = Отметок
report-col-held = Проведено уроков
report-col-without-topic = Без темы
report-col-without-homework = Без домашнего задания
report-col-marks-late = Отметок позже 5 дней
report-col-absences = Пропусков
report-col-absences-late = Пропусков позже 5 дней
report-col-due-on = Срок
report-col-missing = Не выставлено
report-col-planned = Часов по плану
report-col-scheduled-to-date = По расписанию на сегодня
report-col-cancelled = Отменено
report-col-done = Выполнено плана
report-col-remaining = Осталось часов
report-col-state = Состояние
report-col-students-linked = Учеников с доступом родителей
report-col-consented = Согласий (связей)
report-col-refused = Отказов и отзывов
report-col-waiting = Ждут ответа
report-col-paper = Выписки на бумаге
report-col-guardians = Родителей с доступом
report-col-guardians-active = Родителей активных
report-col-students-chats = Учеников с доступом
report-col-students-active = Учеников активных
report-col-pushes-sent = Уведомлений доставлено

report-chart-progress = Успеваемость и качество
report-chart-curriculum = План и проведённые уроки
report-chart-consents = Доступ родителей и выписки
report-chart-activity = Родители: с доступом и активные

report-mark-pass = зач
report-mark-fail = незач
report-mark-postponed = отсрочка
report-mark-missing = нет отметки

extract-title = Выписка из электронного дневника
extract-batch-title = Выписки на бумаге · { $klass } · { $from } – { $to }
extract-student = Ученик: { $name }
extract-class = Класс: { $klass }
extract-range = Период: { $from } – { $to }
extract-marks = Отметки
extract-absences = Пропуски и опоздания
extract-homework = Домашние задания
extract-none = нет
extract-col-date = Дата
extract-col-subject = Предмет
extract-col-mark = Отметка
extract-col-work = Вид работы
extract-col-comment = Комментарий учителя
extract-col-lesson = Урок
extract-col-kind = Отметка о посещении
extract-col-due = К дате
extract-col-task = Задание
extract-weight = вес { $weight }
extract-kind-absent = Н (без причины)
extract-kind-ill = Б (болезнь)
extract-kind-excused = УП (уважительная)
extract-kind-late = ОП (опоздание)
extract-late-minutes = ОП, { $minutes } мин
extract-teacher-sign = Классный руководитель: { $name } ____________
extract-guardian-sign = Ознакомлен(а), родитель: ____________
extract-empty = Выписки не нужны: у всех семей класса есть электронный доступ.
extracts-sent = Выписки на бумаге, { $klass }: { $count ->
    [one] { $count } ученик
    [few] { $count } ученика
   *[many] { $count } учеников
}, { $from } – { $to }.
push-paper-extracts = 🖨 <b>Выписки на бумаге, { $klass }</b>: { $count ->
    [one] { $count } ученик
    [few] { $count } ученика
   *[many] { $count } учеников
}, { $start } – { $end }. Меню → Отчёты → Выписки на бумаге.

# The director's monthly push; months as a name on their own.
push-monthly-completion = 📊 <b>Заполнение журнала за { $month } { $year }</b>: отчёт готов — Меню → Отчёты → Заполнение журнала.
month-name-1 = январь
month-name-2 = февраль
month-name-3 = март
month-name-4 = апрель
month-name-5 = май
month-name-6 = июнь
month-name-7 = июль
month-name-8 = август
month-name-9 = сентябрь
month-name-10 = октябрь
month-name-11 = ноябрь
month-name-12 = декабрь
