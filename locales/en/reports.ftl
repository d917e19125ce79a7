## Reports (XLSX) and paper extracts (PDF)

menu-staff-reports = 📑 Reports
reports-choose = <b>Reports</b>
    Choose a report: the file comes here.
reports-choose-class = <b>{ $report }</b>
    Which class?
reports-latest-period = ⏮ The latest ended term
reports-choose-period = <b>{ $report }</b>
    For which period?
reports-whole-school = 🏫 Whole school
reports-btn-extracts = 🖨 Paper extracts
reports-sent = { $report } · { $scope }
reports-none = There are no reports for you.
report-unknown = There is no such report.
report-no-period = The school has no such period.

report-title-progress = Progress and quality of learning
report-title-completion = Journal completion
report-title-curriculum = Curriculum check
report-title-finals = Final marks check
report-title-activity = Monthly user activity
report-title-consents = Consents to personal data processing
report-title-term-sheet = Term sheet

report-class = class { $klass }
report-made-on = made on { $date }

report-sheet-classes = By class
report-sheet-subjects = By subject
report-sheet-accumulation = Mark accumulation
report-sheet-unfilled = Topics and homework
report-sheet-late = Late entries
report-sheet-missing = Period marks
report-sheet-curriculum = Curriculum
report-sheet-finals = Missing marks
report-sheet-consents = Consents
report-sheet-activity = Activity
report-sheet-term = Period marks
report-sheet-year = Year marks

report-col-number = No.
report-col-class = Class
report-col-subject = Subject
report-col-period = Period
report-col-student = Student
report-col-teacher = Teacher
report-col-students = Students
report-col-enrolled = Students in class
report-col-graded = Graded
report-col-progress = Progress rate
report-col-quality = Quality rate
report-col-average = Average mark
report-col-marks = Marks
report-col-held = Lessons held
report-col-without-topic = Without a topic
report-col-without-homework = Without homework
report-col-marks-late = Marks after 5 days
report-col-absences = Absences
report-col-absences-late = Absences after 5 days
report-col-due-on = Due
report-col-missing = Missing
report-col-planned = Planned hours
report-col-scheduled-to-date = Timetabled to date
report-col-cancelled = Cancelled
report-col-done = Plan done
report-col-remaining = Hours left
report-col-state = State
report-col-students-linked = Students with a guardian online
report-col-consented = Consents (links)
report-col-refused = Refused or withdrawn
report-col-waiting = Waiting
report-col-paper = Paper extracts
report-col-guardians = Guardians with access
report-col-guardians-active = Guardians active
report-col-students-chats = Students with access
report-col-students-active = Students active
report-col-pushes-sent = Pushes delivered

report-chart-progress = Progress and quality
report-chart-curriculum = Planned and held lessons
report-chart-consents = Guardian access and paper extracts
report-chart-activity = Guardians: with access and active

report-mark-pass = pass
report-mark-fail = fail
report-mark-postponed = postponed
report-mark-missing = no mark

extract-title = Extract from the electronic diary
extract-batch-title = Paper extracts · { $klass } · { $from } – { $to }
extract-student = Student: { $name }
extract-class = Class: { $klass }
extract-range = Dates: { $from } – { $to }
extract-marks = Marks
extract-absences = Absences and late arrivals
extract-homework = Homework
extract-none = none
extract-col-date = Date
extract-col-subject = Subject
extract-col-mark = Mark
extract-col-work = Work type
extract-col-comment = Teacher's comment
extract-col-lesson = Lesson
extract-col-kind = Attendance
extract-col-due = Due
extract-col-task = Task
extract-weight = weight { $weight }
extract-kind-absent = absent (no reason)
extract-kind-ill = ill
extract-kind-excused = excused
extract-kind-late = late
extract-late-minutes = late, { $minutes } min
extract-teacher-sign = Class teacher: { $name } ____________
extract-guardian-sign = Seen by the guardian: ____________
extract-empty = No extracts needed: every family of the class reads the diary online.
extracts-sent = Paper extracts, { $klass }: { $count ->
    [one] { $count } student
   *[other] { $count } students
}, { $from } – { $to }.
push-paper-extracts = 🖨 <b>Paper extracts, { $klass }</b>: { $count ->
    [one] { $count } student
   *[other] { $count } students
}, { $start } – { $end }. Menu → Reports → Paper extracts.

# The director's monthly push; months as a name on their own.
push-monthly-completion = 📊 <b>Journal completion for { $month } { $year }</b>: the report is ready — Menu → Reports → Journal completion.
month-name-1 = January
month-name-2 = February
month-name-3 = March
month-name-4 = April
month-name-5 = May
month-name-6 = June
month-name-7 = July
month-name-8 = August
month-name-9 = September
month-name-10 = October
month-name-11 = November
month-name-12 = December
