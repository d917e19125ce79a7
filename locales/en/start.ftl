start-welcome =
    Hello! This is the school's electronic diary.
    To see marks, the timetable and homework, send the access code the school gave you (for example <code>K7QMX-3PD9T</code>), or open the link with the code.
start-need-code = This chat is not linked to any student yet. Send the access code from the school.
link-code-invalid = That code did not work. Check it and try again, or ask the school for a new one.
link-code-format = A code is 10 Latin letters and digits, for example <code>K7QMX-3PD9T</code>. Please send it whole.
link-too-many =
    Too many wrong attempts. Try again in { $minutes } { $minutes ->
        [one] minute
       *[other] minutes
    }.
link-ok = Done! This chat now shows the diary of { $name }, { $klass }.
link-staff-ok = Done, { $name }! You are signed in as school staff.
consent-request =
    The code is valid: { $name }, { $klass }.
    Before any data is shown we need your consent to the processing of personal data (Federal Law 152-FZ): the school processes the child's name, marks, attendance and timetable to show them to you in this chat. You can withdraw consent in settings at any time.
    Consent text version: { $version }.
consent-accept = ✅ I agree
consent-refuse = ❌ I do not agree
consent-given = Thank you, your consent is recorded. Diary: { $name }.
consent-refused = Understood. Nothing is linked. The school will give you a paper extract (at least every two weeks).
consent-still-pending = Please answer the consent request first: send /start.
