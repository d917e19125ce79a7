# One summary of several children (screens/family_summary.py).
summary-title = 👪 <b>Сводка по детям</b>: { $date }
summary-marks = 📊 { $name }: новые оценки за вчера и сегодня
summary-marks-none = 📊 { $name }: новых оценок за вчера и сегодня нет
summary-absences = 🚶 { $name }: пропуски сегодня
summary-absences-none = 🚶 { $name }: сегодня без пропусков
summary-absence-line = { $slot } урок, { $subject } — { $reason }
summary-changes = 🔁 { $name }: изменения в расписании на { $date }
summary-changes-none = 🔁 { $name }: расписание на { $date } без изменений
summary-homework = 📚 { $name }: домашнее задание на { $date }
summary-homework-none = 📚 { $name }: на { $date } заданий нет
