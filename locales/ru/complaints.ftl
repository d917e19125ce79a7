complaint-status-new = зарегистрировано
complaint-status-in_progress = в работе
complaint-status-answered = дан ответ
complaint-status-rejected = отклонено
complaint-status-closed = закрыто
complaint-category-teaching = 📚 Обучение
complaint-category-safety = 🛡 Безопасность
complaint-category-food = 🍽 Питание
complaint-category-other = 📎 Другое
complaint-line = № { $number } от { $date }, { $category }: { $status }{ $overdue } — { $text }
complaint-overdue-mark = { " " }⏰ просрочено
complaint-mine-title = <b>📝 Мои обращения</b>
complaint-mine-empty = Обращений пока нет.
complaint-btn-new = ✏️ Новое обращение
complaint-btn-cancel = ✖️ Отмена
complaint-btn-mine = 📝 Мои обращения
complaint-btn-open = № { $number }
complaint-btn-take = 🛠 Взять в работу
complaint-btn-answer = ✅ Ответить
complaint-btn-reject = 🚫 Отклонить
complaint-btn-list = 📥 К списку
complaint-pick-category = О чём обращение? Выберите тему.
complaint-ask-text = Опишите суть обращения одним сообщением (не больше { $limit } символов); можно приложить фото или документ с подписью. Любая команда отменит обращение.
complaint-ask-answer = Напишите ответ одним сообщением (не больше { $limit } символов). Любая команда отменит ответ.
complaint-ask-reason = Напишите причину отказа одним сообщением (не больше { $limit } символов). Любая команда отменит отказ.
complaint-registered =
    ✅ Обращение зарегистрировано.
    Номер: { $number }, дата: { $date }.
    Ответ будет дан не позднее { $due }.
complaint-cancelled = Обращение отменено, ничего не отправлено.
complaint-admin-title = <b>📥 Обращения</b>: новых { $new }, в работе { $in_progress }
complaint-filter-new = 🆕 Новые
complaint-filter-in_progress = 🛠 В работе
complaint-filter-overdue = ⏰ Просроченные
complaint-filter-closed = 📁 Закрытые
complaint-list-empty = Таких обращений нет.
complaint-card =
    <b>Обращение № { $number }</b> от { $date }
    Тема: { $category }
    Статус: { $status }{ $overdue }
    Срок ответа: { $due }

    { $text }
complaint-card-answer = <b>Ответ:</b> { $answer }
complaint-closed-done = Готово: автору отправлено уведомление.
complaint-btn-photo = 📎 Фотография
complaint-btn-document = 📎 Документ
complaint-file-caption = Вложение к обращению № { $number }
