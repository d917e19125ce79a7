complaint-status-new = registered
complaint-status-in_progress = in work
complaint-status-answered = answered
complaint-status-rejected = rejected
complaint-status-closed = closed
complaint-category-teaching = 📚 Teaching
complaint-category-safety = 🛡 Safety
complaint-category-food = 🍽 Meals
complaint-category-other = 📎 Other
complaint-line = No. { $number } of { $date }, { $category }: { $status }{ $overdue } — { $text }
complaint-overdue-mark = { " " }⏰ overdue
complaint-mine-title = <b>📝 My complaints</b>
complaint-mine-empty = No complaints yet.
complaint-btn-new = ✏️ New complaint
complaint-btn-cancel = ✖️ Cancel
complaint-btn-mine = 📝 My complaints
complaint-btn-open = No. { $number }
complaint-btn-take = 🛠 Take it
complaint-btn-answer = ✅ Answer
complaint-btn-reject = 🚫 Reject
complaint-btn-list = 📥 Back to the list
complaint-pick-category = What is it about? Pick a topic.
complaint-ask-text = Describe the complaint in one message (at most { $limit } characters); a photo or a document with a caption will do too. Any command cancels it.
complaint-ask-answer = Write the answer in one message (at most { $limit } characters). Any command cancels it.
complaint-ask-reason = Write the reason for rejecting it in one message (at most { $limit } characters). Any command cancels it.
complaint-registered =
    ✅ The complaint is registered.
    Number: { $number }, date: { $date }.
    The answer is due by { $due }.
complaint-cancelled = The complaint is cancelled; nothing was sent.
complaint-admin-title = <b>📥 Complaints</b>: { $new } new, { $in_progress } in work
complaint-filter-new = 🆕 New
complaint-filter-in_progress = 🛠 In work
complaint-filter-overdue = ⏰ Overdue
complaint-filter-closed = 📁 Closed
complaint-list-empty = No such complaints.
complaint-card =
    <b>Complaint No. { $number }</b> of { $date }
    Topic: { $category }
    Status: { $status }{ $overdue }
    Answer due: { $due }

    { $text }
complaint-card-answer = <b>Answer:</b> { $answer }
complaint-closed-done = Done: the author has been notified.
complaint-btn-photo = 📎 Photo
complaint-btn-document = 📎 Document
complaint-file-caption = Attached to complaint No. { $number }
