menu-title = <b>School diary</b>
menu-child = 👤 { $name }, { $klass }
menu-staff = 🧑‍🏫 { $name }
menu-marks = 📊 Marks
menu-timetable = 📅 Timetable
menu-homework = 📚 Homework
menu-attendance = 🚶 Attendance
menu-forecast = 🔮 Forecast
menu-tests = 📝 Tests
menu-final = 🏁 Term marks
menu-teachers = 👩‍🏫 Teachers
menu-calendar = 🗓 Terms and holidays
menu-switch-child = 🔄 Another child
menu-staff-today = 🗓 My lessons today
menu-staff-classes = 🏫 Classes
menu-settings = ⚙️ Settings
menu-choose-child = Whose diary should I open?
help-text =
    <b>What the bot does</b>
    /menu — main menu: marks, timetable, homework, attendance, forecast, tests.
    /start — link a child with the code from the school.
    /settings — language, notifications, unlinking and withdrawing consent.
    /help — this help.
command-menu = Main menu
command-marks = Marks
command-timetable = Timetable
command-homework = Homework
command-attendance = Attendance
command-forecast = Term mark forecast
command-settings = Language, notifications, consent
command-help = Help
menu-wall = 📌 Class notices
menu-staff-notices = 📢 Notices
menu-complaints = 📝 Complaints
menu-staff-complaints = 📥 Complaints
menu-staff-polls = 🗳 Polls
