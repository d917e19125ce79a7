# Pushes: what the delivery worker sends (services/push_text.py).

push-mark-new-title = 📊 <b>{ $student }</b>: новая оценка
push-mark-changed-title = 📊 <b>{ $student }</b>: оценка исправлена
push-mark-deleted-title = 📊 <b>{ $student }</b>: оценка удалена
push-marks-new-title = 📊 <b>{ $student }</b>: { $count ->
    [one] выставлена { $count } оценка
    [few] выставлены { $count } оценки
   *[many] выставлено { $count } оценок
}
push-marks-updates-title = 📊 <b>{ $student }</b>: { $count ->
    [one] { $count } изменение
    [few] { $count } изменения
   *[many] { $count } изменений
} в оценках
push-mark-line = • { $subject }: <b>{ $value }</b> ({ $work }, вес { $weight }) — { $date }
push-mark-line-changed = • { $subject }: { $old } → <b>{ $value }</b> ({ $work }, вес { $weight }) — { $date }, исправлена
push-mark-line-deleted = • { $subject }: <s>{ $value }</s> удалена ({ $work }, вес { $weight }) — { $date }

push-final-title = 🏁 <b>{ $student }</b>: { $count ->
    [one] итоговая оценка
   *[other] итоговые оценки
}
push-final-kind-year = год
push-final-kind-exam = экзамен
push-final-kind-final = итоговая
push-final-line = • { $subject }, { $label }: <b>{ $value }</b>
push-final-line-changed = • { $subject }, { $label }: { $old } → <b>{ $value }</b>
push-final-line-postponed = • { $subject }, { $label }: аттестация перенесена

push-timetable-title = 📅 <b>{ $student }</b>: изменения в расписании
push-lesson-replaced = • { $date }, { $slot }-й урок, { $subject }: замена, ведёт { $teacher }
push-lesson-moved = • { $date }, { $slot }-й урок, { $subject }: перенесён на { $new_date }, { $new_slot }-й урок
push-lesson-cancelled = • { $date }, { $slot }-й урок, { $subject }: <b>отменён</b>
push-lesson-moved-away = • { $date }, { $slot }-й урок, { $subject }: перенесён

push-absence-title = 🚸 <b>{ $student }</b>: посещаемость
push-absence-line = • { $date }, { $slot }-й урок, { $subject }: { $kind ->
    [absent] <b>отсутствовал(а)</b> без уважительной причины
    [ill] отсутствовал(а) по болезни
    [excused] отсутствовал(а) по уважительной причине
   *[late] опоздал(а)
}

push-homework-title = 📚 <b>{ $student }</b>: домашнее задание
push-homework-new = • { $subject } (к { $due }): { $text }
push-homework-changed = • { $subject } (к { $due }, изменено): { $text }
push-homework-tomorrow-title = 📚 <b>{ $student }</b>: задано на завтра, { $due }
push-homework-item = • { $subject }: { $text }

push-forecast-title = 🔮 <b>{ $student }</b>: прогноз за период
push-forecast-line = • { $subject }: прогноз { $old } → <b>{ $new }</b> { $cause }
push-forecast-cause-today = после сегодняшней { $value }
push-forecast-cause-date = после { $value } за { $date }
push-forecast-cause-changed = после исправления { $old } → { $value }
push-forecast-cause-deleted = после удаления { $value } за { $date }
push-forecast-back = ; { $n ->
    [1] ещё одна пятёрка вернёт { $target }
    [2] ещё две пятёрки вернут { $target }
    [3] ещё три пятёрки вернут { $target }
    [4] ещё четыре пятёрки вернут { $target }
   *[other] { $n ->
        [one] ещё { $n } пятёрка вернёт { $target }
        [few] ещё { $n } пятёрки вернут { $target }
       *[many] ещё { $n } пятёрок вернут { $target }
    }
}
push-forecast-out-of-reach = ; вернуть { $target } до конца периода уже не выйдет
push-forecast-weekly-title = 🔮 <b>{ $student }</b>: прогноз на неделю — { $period }
push-forecast-weekly-line = • { $subject }: { $average } → <b>{ $forecast }</b>
push-forecast-weekly-need = { $n ->
    [one] , до { $target } — ещё { $n } пятёрка
    [few] , до { $target } — ещё { $n } пятёрки
   *[many] , до { $target } — ещё { $n } пятёрок
}
push-forecast-risk-title = ⚠️ <b>{ $student }</b>: до конца периода «{ $period }» две недели ({ $ends }). Под угрозой:
push-forecast-risk-line = • { $subject }: { $average } → <b>{ $forecast }</b>
push-forecast-risk-dropped = (было { $previous })

push-access-ended = ⛔ <b>{ $student }</b>: доступ к дневнику закрыт. { $reason ->
    [left_school] Ученик выбыл из школы.
    [annulled] Школа аннулировала привязку этого чата.
    [consent_withdrawn] Согласие на обработку персональных данных отозвано.
    [replaced] Администратор школы подключил вместо этого чата другой.
    [consent_refused] В школе записан отказ от согласия на обработку персональных данных.
    [unlinked] Привязка снята.
   *[other] Обратитесь к классному руководителю.
}

push-notice-title = 📌 <b>Объявление</b>
push-message-title = ✉️ <b>Новое сообщение</b>
push-complaint-title = 📣 <b>Ответ на обращение</b>
push-from = { " " }— { $name }
push-unknown = 🔔 Обновление в дневнике. Откройте /menu.

push-staff-unmarked-title = 📝 <b>Журнал не заполнен</b>: { $count ->
    [one] { $count } урок прошёл
    [few] { $count } урока прошли
   *[many] { $count } уроков прошли
} 5 и более дней назад без оценок и посещаемости
push-staff-unmarked-line = • { $klass }, { $subject } — { $date }, { $slot }-й урок

push-staff-period-marks-title = 🗓 <b>Оценки за { $period }</b>: период заканчивается { $ends }, выставьте их не позднее { $deadline }
push-staff-period-marks-line = • { $klass }, { $subject }: нет оценки у { $missing ->
    [one] { $missing } ученика
   *[other] { $missing } учеников
}
push-staff-digest-title = 📋 <b>Сроки журнала: что просрочено</b>
push-staff-digest-lessons = Уроки без оценок и посещаемости:
push-staff-digest-lesson-line = • { $teacher } — { $klass }, { $subject }: { $count ->
    [one] { $count } урок
    [few] { $count } урока
   *[many] { $count } уроков
}, первый { $since }
push-staff-digest-marks = Не выставлены оценки за период:
push-staff-digest-mark-line = • { $teacher } — { $klass }, { $subject }, { $period }: нет у { $missing ->
    [one] { $missing } ученика
   *[other] { $missing } учеников
}
push-staff-digest-more = …и ещё { $count }
push-class_notice-title = 📌 <b>Объявление</b>, { $klass }
push-notice_reminder-title = 🔔 <b>Напоминание: объявление</b>, { $klass }
push-complaint_filed = 📥 <b>Новое обращение № { $number }</b>, ответ до { $due }
push-complaint_status = 📝 <b>Обращение № { $number }</b>: { $status }
push-complaint_overdue = ⏰ <b>Просрочено обращение № { $number }</b>: срок ответа был { $due }
push-poll_new = 🗳 <b>Опрос</b>: { $question }
push-poll_closed = 🗳 <b>Опрос закрыт</b>: { $question }
push-open-marks = 📊 Оценки: { $subject }
push-open-timetable = 📅 Расписание на { $date }
push-open-homework = 📚 Задания на { $date }
