menu-title = <b>Электронный дневник</b>
menu-child = 👤 { $name }, { $klass }
menu-staff = 🧑‍🏫 { $name }
menu-marks = 📊 Оценки
menu-timetable = 📅 Расписание
menu-homework = 📚 Домашнее задание
menu-attendance = 🚶 Посещаемость
menu-forecast = 🔮 Прогноз
menu-tests = 📝 Контрольные
menu-final = 🏁 Итоговые
menu-teachers = 👩‍🏫 Учителя
menu-calendar = 🗓 Четверти и каникулы
menu-switch-child = 🔄 Другой ребёнок
menu-staff-today = 🗓 Мои уроки сегодня
menu-staff-classes = 🏫 Классы
menu-settings = ⚙️ Настройки
menu-choose-child = Чей дневник открыть?
help-text =
    <b>Что умеет бот</b>
    /menu — главное меню: оценки, расписание, домашние задания, посещаемость, прогноз, контрольные.
    /start — привязать ребёнка по коду из школы.
    /settings — язык, уведомления, отвязка и отзыв согласия.
    /help — эта справка.
command-menu = Главное меню
command-marks = Оценки
command-timetable = Расписание
command-homework = Домашнее задание
command-attendance = Посещаемость
command-forecast = Прогноз итоговых отметок
command-settings = Язык, уведомления, согласие
command-help = Справка
menu-wall = 📌 Объявления класса
menu-staff-notices = 📢 Объявления
menu-complaints = 📝 Обращения
menu-staff-complaints = 📥 Обращения
menu-staff-polls = 🗳 Опросы
