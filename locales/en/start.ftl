start-welcome =
    Hello! This is the school's electronic diary.
    To see marks, the timetable and homework, send the access code the school gave you (for example <code>K7QMX-3PD9T</code>), or open the link with the code.
start-need-code = This chat is not linked to any student yet. Send the access code from the school.
link-code-invalid =
    That code did not work. Check it and try again.
    A code is valid for { $hours } { $hours ->
        [one] hour
       *[other] hours
    } after it is issued and works once. A new code comes from the class teacher or the school office.
link-code-invalid-left =
    { link-code-invalid }
    { $left ->
        [0] No tries are left: codes are locked for up to an hour.
        [one] { $left } try is left, then codes are locked for up to an hour.
       *[other] { $left } tries are left, then codes are locked for up to an hour.
    }
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
    Before any data is shown we need your consent to the processing of the child's personal data (Federal Law 152-FZ).
    • Operator: { $school }.
    • Data: name, class, marks, attendance, timetable and homework.
    • Purpose: to show them to you in this chat and send you notifications about school work.
    • Term: while the child studies at the school, or until you withdraw consent.
    • Withdrawal: at any time in /settings ("Withdraw consent") or by an application to the school.
    Consent text version: { $version }.
consent-accept = ✅ I agree
consent-refuse = ❌ I do not agree
consent-given = Thank you, your consent is recorded. Diary: { $name }.
consent-refused = Understood. Nothing is linked. The school will give you a paper extract (at least every two weeks). If you change your mind, send the same code again while it is valid.
consent-still-pending = Please answer the consent request first: send /start.
consent-refuse-confirm =
    Are you sure? Then the diary ({ $name }) will not be shown in this chat, and the school will give you paper extracts.
    If you change your mind, the same code will work again until it expires.
consent-refuse-sure = ❌ Yes, I refuse
consent-waiting-student = This chat is linked: { $name }. The data will appear here once a parent (legal representative) consents to the processing of personal data — in this bot or on a paper form at school. Check: /menu.
consent-form-bad = Send the form's number and the date it was signed, for example: <code>12 20.11.2026</code> (no date: today). The date cannot be later than today.
consent-waiting-short = The data will appear once a parent consents to the processing of personal data.
