menu-staff-quick = ✍️ Быстрый ввод
quick-title = ✍️ <b>Быстрый ввод</b>: ваши уроки сегодня. Выберите урок, чтобы отметить посещаемость, тему и домашнее задание.
quick-no-lessons = Сегодня у вас нет уроков, которые можно заполнить.
quick-lesson = { $slot }-й урок · { $klass } · { $subject }
quick-lesson-button = { $slot }. { $klass } · { $subject }
quick-topic = Тема: { $topic }
quick-no-topic = Тема не указана.
quick-taken = Посещаемость уже отмечена; сохранение её заменит.
quick-not-taken = Посещаемость ещё не отмечена.
quick-hint = Все присутствуют; нажмите на ученика, которого нет, затем «Сохранить».
quick-present = ✅ { $name }
quick-away = ❌ { $name }
quick-save = 💾 Сохранить (нет: { $count })
quick-btn-topic = 📝 Тема
quick-btn-homework = 📚 Домашнее задание
quick-btn-lessons = ⬅️ Уроки
quick-btn-back = ⬅️ К уроку
quick-saved = ✅ Посещаемость сохранена: { $away ->
        [0] все присутствовали
       *[other] отсутствуют { $away }
    }. Уведомлений семьям: { $queued }.
quick-ask-topic = { $lesson }: пришлите тему урока (до { $limit } знаков).
quick-ask-homework = { $lesson }: пришлите домашнее задание (до { $limit } знаков). Срок — следующий урок по предмету.
quick-too-long = Слишком длинно: не больше { $limit } знаков. Пришлите короче.
quick-topic-saved = ✅ { $lesson }: тема сохранена — { $topic }
quick-homework-saved = ✅ { $lesson }: домашнее задание сохранено, срок { $date }. Уведомлений семьям: { $queued }.
