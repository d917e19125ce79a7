# One summary of several children (screens/family_summary.py).
summary-title = 👪 <b>All children</b>: { $date }
summary-marks = 📊 { $name }: new marks since yesterday
summary-marks-none = 📊 { $name }: no new marks since yesterday
summary-absences = 🚶 { $name }: missed today
summary-absences-none = 🚶 { $name }: nothing missed today
summary-absence-line = lesson { $slot }, { $subject } — { $reason }
summary-changes = 🔁 { $name }: timetable changes for { $date }
summary-changes-none = 🔁 { $name }: no timetable changes for { $date }
summary-homework = 📚 { $name }: homework due { $date }
summary-homework-none = 📚 { $name }: no homework due { $date }
