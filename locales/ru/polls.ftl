poll-single = Один вариант ответа
poll-multiple = Можно выбрать несколько вариантов
poll-anonymous = , анонимно
poll-named = , не анонимно
poll-option = { $n }. { $option }
poll-option-count = { $n }. { $option }: <b>{ $count }</b>
poll-voters = Проголосовали: { $count }
poll-btn-option = { $n }. { $option }
poll-btn-chart = 📊 Диаграмма
poll-btn-cancel = ✖️ Отмена
poll-btn-new = ✏️ Новый опрос
poll-btn-results = 📊 { $n }
poll-btn-send = 📤 Отправить
poll-btn-multiple-on = ☑️ Несколько вариантов
poll-btn-multiple-off = 🔘 Один вариант
poll-btn-anonymous-on = 🙈 Анонимно
poll-btn-anonymous-off = 👤 Не анонимно
poll-btn-duration = ⏱ Открыт дней: { $days }
poll-btn-live = 📊 Результаты
poll-btn-refresh = 🔄 Обновить
poll-btn-mine = 🗳 Мои опросы
poll-mine-title = <b>🗳 Мои опросы</b>
poll-mine-line = { $state } { $question }
poll-mine-empty = Опросов пока нет.
poll-open = 🟢
poll-closed-mark = 🔒
poll-pick-class = Кому опрос? Выберите класс.
poll-pick-audience = Класс: { $klass }. Кто будет голосовать?
poll-ask-question = Напишите вопрос (не больше { $limit } символов). Любая команда отменит опрос.
poll-ask-options = Теперь варианты ответа, каждый с новой строки: от { $low } до { $high }, каждый не длиннее { $option } символов.
poll-bad-options = Нужно от { $low } до { $high } вариантов, каждый с новой строки и не длиннее { $limit } символов.
poll-preview =
    <b>Проверьте опрос</b>
    Класс: { $klass }
    Голосуют: { $audience }
    Открыт дней: { $days }
poll-created = ✅ Опрос отправлен. Получателей: { $recipients }.
poll-cancelled = Опрос отменён, ничего не отправлено.
poll-voted = Голос учтён. Его можно изменить, пока опрос открыт.
poll-closed = Опрос уже закрыт.
poll-results-title = { $state } <b>{ $question }</b>
poll-turnout = Проголосовали { $voters } из { $recipients }
poll-anonymous-note = Опрос анонимный: кто как голосовал, не показывается.
poll-chart-caption = Проголосовали { $voters } из { $recipients }
