notice-btn-ack = ✅ Ознакомлен(а)
notice-btn-ack-on = ✅ Ознакомлен(а): { $date }
notice-btn-new = ✏️ Новое объявление
notice-btn-status = 📊 { $date }, { $klass }
notice-btn-cancel = ✖️ Отмена
notice-btn-send = 📤 Отправить
notice-btn-urgent-on = ⚡ Сделать срочным
notice-btn-urgent-off = ⚡ Снять срочность
notice-btn-counts = 📊 Кто получил и прочитал
notice-btn-pending = 👀 Кто не ознакомился
notice-btn-remind = 🔔 Напомнить им
notice-btn-mine = 📢 Мои объявления
notice-whole-school = вся школа
notice-mine-title = <b>📢 Мои объявления</b>
notice-mine-line = { $date }, { $klass }: { $text }
notice-mine-empty = Объявлений пока нет.
notice-pick-class = Кому объявление? Выберите класс.
notice-pick-audience = Класс: { $klass }. Кто получит объявление?
notice-audience-guardians = 👪 Родители
notice-audience-students = 🎒 Ученики
notice-audience-both = 👪🎒 Родители и ученики
notice-ask-text = Напишите текст объявления одним сообщением (не больше { $limit } символов) или пришлите фото либо документ с подписью. Любая команда отменит объявление.
notice-preview =
    <b>Проверьте объявление</b>
    Класс: { $klass }
    Получатели: { $audience }
    { $urgent }
notice-urgent-yes = ⚡ Срочное: придёт и в тихие часы
notice-urgent-no = Обычное: в тихие часы придёт утром
notice-draft-gone = Черновик уже не действует: начните объявление заново.
notice-posted = ✅ Объявление отправлено. Получателей: { $recipients }.
notice-cancelled = Объявление отменено, ничего не отправлено.
notice-status =
    <b>Объявление от { $date }</b>, { $klass }
    { $text }

    Получателей: { $recipients }
    Доставлено: { $delivered }
    Ознакомились: { $acknowledged }
    Ждут отправки: { $pending }
    Не доставлено (бот заблокирован, недоступен или уведомления выключены): { $unreachable }
notice-pending-title = <b>Не ознакомились: { $count }</b>
notice-pending-guardian = • родитель ученика: { $name }
notice-pending-student = • ученик: { $name }
notice-reminded = Напоминание отправлено: { $count }.
notice-reminded-today = Сегодня уже напоминали. Следующее напоминание можно отправить завтра.
notice-acked = Спасибо! Отмечено, что вы ознакомились.
notice-acked-before = Вы уже ознакомились с этим объявлением.
notice-wall-title = <b>📌 Объявления</b>
notice-wall-item = <b>{ $date }</b>, { $klass } — { $author }{ $acked }
notice-wall-acked = { " " }✅
notice-wall-empty = Объявлений пока нет.
notice-wall-page = Страница { $page } из { $pages }
notice-attached-photo = 📎 С фотографией
notice-attached-document = 📎 С документом
notice-wall-attached = { " " }📎
notice-btn-subgroup = 👥 Только группа: { $name }
