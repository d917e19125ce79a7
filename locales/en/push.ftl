# Pushes: what the delivery worker sends (services/push_text.py).

push-mark-new-title = 📊 <b>{ $student }</b>: new mark
push-mark-changed-title = 📊 <b>{ $student }</b>: mark corrected
push-mark-deleted-title = 📊 <b>{ $student }</b>: mark deleted
push-marks-new-title = 📊 <b>{ $student }</b>: { $count ->
    [one] { $count } new mark
   *[other] { $count } new marks
}
push-marks-updates-title = 📊 <b>{ $student }</b>: { $count ->
    [one] { $count } mark update
   *[other] { $count } mark updates
}
push-mark-line = • { $subject }: <b>{ $value }</b> ({ $work }, weight { $weight }) — { $date }
push-mark-line-changed = • { $subject }: { $old } → <b>{ $value }</b> ({ $work }, weight { $weight }) — { $date }, corrected
push-mark-line-deleted = • { $subject }: <s>{ $value }</s> deleted ({ $work }, weight { $weight }) — { $date }

push-final-title = 🏁 <b>{ $student }</b>: { $count ->
    [one] final mark
   *[other] final marks
}
push-final-kind-year = year
push-final-kind-exam = exam
push-final-kind-final = final
push-final-line = • { $subject }, { $label }: <b>{ $value }</b>
push-final-line-changed = • { $subject }, { $label }: { $old } → <b>{ $value }</b>
push-final-line-postponed = • { $subject }, { $label }: attestation postponed

push-timetable-title = 📅 <b>{ $student }</b>: timetable changes
push-lesson-replaced = • { $date }, lesson { $slot }, { $subject }: substitute teacher { $teacher }
push-lesson-moved = • { $date }, lesson { $slot }, { $subject }: moved to { $new_date }, lesson { $new_slot }
push-lesson-cancelled = • { $date }, lesson { $slot }, { $subject }: <b>cancelled</b>
push-lesson-moved-away = • { $date }, lesson { $slot }, { $subject }: moved

push-absence-title = 🚸 <b>{ $student }</b>: attendance
push-absence-line = • { $date }, lesson { $slot }, { $subject }: { $kind ->
    [absent] <b>absent</b> without a reason
    [ill] absent, ill
    [excused] absent, excused
   *[late] late
}

push-homework-title = 📚 <b>{ $student }</b>: homework
push-homework-new = • { $subject } (due { $due }): { $text }
push-homework-changed = • { $subject } (due { $due }, changed): { $text }
push-homework-tomorrow-title = 📚 <b>{ $student }</b>: homework for tomorrow, { $due }
push-homework-item = • { $subject }: { $text }

push-forecast-title = 🔮 <b>{ $student }</b>: term forecast
push-forecast-line = • { $subject }: forecast { $old } → <b>{ $new }</b> { $cause }
push-forecast-cause-today = after today's { $value }
push-forecast-cause-date = after a { $value } on { $date }
push-forecast-cause-changed = after a correction { $old } → { $value }
push-forecast-cause-deleted = after the { $value } of { $date } was deleted
push-forecast-back = ; { $n ->
    [one] one more 5 brings back { $target }
   *[other] { $n } more 5s bring back { $target }
}
push-forecast-out-of-reach = ; { $target } is out of reach this period
push-forecast-weekly-title = 🔮 <b>{ $student }</b>: weekly forecast — { $period }
push-forecast-weekly-line = • { $subject }: { $average } → <b>{ $forecast }</b>
push-forecast-weekly-need = { $n ->
    [one] , { $target } needs { $n } more 5
   *[other] , { $target } needs { $n } more 5s
}
push-forecast-risk-title = ⚠️ <b>{ $student }</b>: two weeks left in “{ $period }” (until { $ends }). At risk:
push-forecast-risk-line = • { $subject }: { $average } → <b>{ $forecast }</b>
push-forecast-risk-dropped = (was { $previous })

push-access-ended = ⛔ <b>{ $student }</b>: access to the diary has ended. { $reason ->
    [left_school] The student has left the school.
    [annulled] The school annulled this chat's link.
    [consent_withdrawn] Consent to personal data processing was withdrawn.
    [replaced] A school admin connected another chat instead of this one.
    [consent_refused] The school recorded a refusal of consent to personal data processing.
    [unlinked] The link was removed.
   *[other] Please contact the class teacher.
}

push-notice-title = 📌 <b>Notice</b>
push-message-title = ✉️ <b>New message</b>
push-complaint-title = 📣 <b>Reply to your complaint</b>
push-from = { " " }— { $name }
push-unknown = 🔔 Something changed in the diary. Open /menu.

push-staff-unmarked-title = 📝 <b>Journal not filled in</b>: { $count ->
    [one] { $count } lesson
   *[other] { $count } lessons
} held 5+ days ago without marks or attendance
push-staff-unmarked-line = • { $klass }, { $subject } — { $date }, lesson { $slot }

push-staff-period-marks-title = 🗓 <b>Marks for { $period }</b>: the period ends { $ends }, enter them by { $deadline }
push-staff-period-marks-line = • { $klass }, { $subject }: { $missing ->
    [one] { $missing } student
   *[other] { $missing } students
} without a mark
push-staff-digest-title = 📋 <b>Journal deadlines: what is overdue</b>
push-staff-digest-lessons = Lessons without marks or attendance:
push-staff-digest-lesson-line = • { $teacher } — { $klass }, { $subject }: { $count ->
    [one] { $count } lesson
   *[other] { $count } lessons
}, the first on { $since }
push-staff-digest-marks = Period marks not entered:
push-staff-digest-mark-line = • { $teacher } — { $klass }, { $subject }, { $period }: { $missing ->
    [one] { $missing } student
   *[other] { $missing } students
} without one
push-staff-digest-more = …and { $count } more
push-class_notice-title = 📌 <b>Notice</b>, { $klass }
push-notice_reminder-title = 🔔 <b>Reminder: notice</b>, { $klass }
push-complaint_filed = 📥 <b>New complaint No. { $number }</b>, answer due { $due }
push-complaint_status = 📝 <b>Complaint No. { $number }</b>: { $status }
push-complaint_overdue = ⏰ <b>Complaint No. { $number } is overdue</b>: the answer was due { $due }
push-poll_new = 🗳 <b>Poll</b>: { $question }
push-poll_closed = 🗳 <b>Poll closed</b>: { $question }
push-open-marks = 📊 Marks: { $subject }
push-open-timetable = 📅 Timetable for { $date }
push-open-homework = 📚 Homework for { $date }
