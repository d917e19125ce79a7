notice-btn-ack = ✅ Acknowledged
notice-btn-ack-on = ✅ Acknowledged: { $date }
notice-btn-new = ✏️ New notice
notice-btn-status = 📊 { $date }, { $klass }
notice-btn-cancel = ✖️ Cancel
notice-btn-send = 📤 Send
notice-btn-urgent-on = ⚡ Make urgent
notice-btn-urgent-off = ⚡ Not urgent
notice-btn-counts = 📊 Delivered and read
notice-btn-pending = 👀 Who has not read it
notice-btn-remind = 🔔 Remind them
notice-btn-mine = 📢 My notices
notice-whole-school = the whole school
notice-mine-title = <b>📢 My notices</b>
notice-mine-line = { $date }, { $klass }: { $text }
notice-mine-empty = No notices yet.
notice-pick-class = Who is the notice for? Pick a class.
notice-pick-audience = Class: { $klass }. Who gets the notice?
notice-audience-guardians = 👪 Parents
notice-audience-students = 🎒 Students
notice-audience-both = 👪🎒 Parents and students
notice-ask-text = Write the notice in one message (at most { $limit } characters), or send a photo or a document with a caption. Any command cancels it.
notice-preview =
    <b>Check the notice</b>
    Class: { $klass }
    Recipients: { $audience }
    { $urgent }
notice-urgent-yes = ⚡ Urgent: delivered even in quiet hours
notice-urgent-no = Normal: in quiet hours it arrives in the morning
notice-draft-gone = This draft is no longer valid: start the notice again.
notice-posted = ✅ The notice is sent. Recipients: { $recipients }.
notice-cancelled = The notice is cancelled; nothing was sent.
notice-status =
    <b>Notice of { $date }</b>, { $klass }
    { $text }

    Recipients: { $recipients }
    Delivered: { $delivered }
    Acknowledged: { $acknowledged }
    Waiting to be sent: { $pending }
    Not delivered (bot blocked, unreachable or notices muted): { $unreachable }
notice-pending-title = <b>Not acknowledged: { $count }</b>
notice-pending-guardian = • parent of { $name }
notice-pending-student = • student: { $name }
notice-reminded = Reminder sent: { $count }.
notice-reminded-today = They were reminded today already. The next reminder can go tomorrow.
notice-acked = Thank you! Marked as read.
notice-acked-before = You have already acknowledged this notice.
notice-wall-title = <b>📌 Notices</b>
notice-wall-item = <b>{ $date }</b>, { $klass } — { $author }{ $acked }
notice-wall-acked = { " " }✅
notice-wall-empty = No notices yet.
notice-wall-page = Page { $page } of { $pages }
notice-attached-photo = 📎 With a photo
notice-attached-document = 📎 With a document
notice-wall-attached = { " " }📎
notice-btn-subgroup = 👥 Only the group: { $name }
