poll-single = One answer
poll-multiple = Several answers allowed
poll-anonymous = , anonymous
poll-named = , not anonymous
poll-option = { $n }. { $option }
poll-option-count = { $n }. { $option }: <b>{ $count }</b>
poll-voters = Votes: { $count }
poll-btn-option = { $n }. { $option }
poll-btn-chart = 📊 Chart
poll-btn-cancel = ✖️ Cancel
poll-btn-new = ✏️ New poll
poll-btn-results = 📊 { $n }
poll-btn-send = 📤 Send
poll-btn-multiple-on = ☑️ Several answers
poll-btn-multiple-off = 🔘 One answer
poll-btn-anonymous-on = 🙈 Anonymous
poll-btn-anonymous-off = 👤 Not anonymous
poll-btn-duration = ⏱ Open for days: { $days }
poll-btn-live = 📊 Results
poll-btn-refresh = 🔄 Refresh
poll-btn-mine = 🗳 My polls
poll-mine-title = <b>🗳 My polls</b>
poll-mine-line = { $state } { $question }
poll-mine-empty = No polls yet.
poll-open = 🟢
poll-closed-mark = 🔒
poll-pick-class = Who is the poll for? Pick a class.
poll-pick-audience = Class: { $klass }. Who votes?
poll-ask-question = Write the question (at most { $limit } characters). Any command cancels the poll.
poll-ask-options = Now the answers, one a line: { $low } to { $high }, each at most { $option } characters.
poll-bad-options = { $low } to { $high } answers are needed, one a line, each at most { $limit } characters.
poll-preview =
    <b>Check the poll</b>
    Class: { $klass }
    Voting: { $audience }
    Open for days: { $days }
poll-created = ✅ The poll is sent. Recipients: { $recipients }.
poll-cancelled = The poll is cancelled; nothing was sent.
poll-voted = Vote counted. You can change it while the poll is open.
poll-closed = The poll has closed.
poll-results-title = { $state } <b>{ $question }</b>
poll-turnout = { $voters } of { $recipients } voted
poll-anonymous-note = An anonymous poll: who voted how is never shown.
poll-chart-caption = { $voters } of { $recipients } voted
