settings-title =
    <b>Settings</b>
    Language: { $lang }
settings-lang-ru = 🇷🇺 Русский
settings-lang-en = 🇬🇧 English
settings-notifications = 🔔 Notifications
settings-add-child = ➕ Link another child
settings-add-child-text = Send the access code the school gave you for another child (or open the link with the code).
settings-unlink = Unlink: { $name }
settings-withdraw = Withdraw consent ({ $name })
settings-confirm = Yes, confirm
settings-unlink-confirm = Unlink the child: { $name }? Marks and notifications about this child will stop coming here. Linking again needs a new code from the school.
settings-withdraw-confirm = Withdraw consent to personal-data processing ({ $name })? The child will be unlinked, notifications will stop, and the school will give you paper extracts.
settings-unlink-done = Done: the child is unlinked. /menu
settings-withdraw-done = Consent withdrawn. The child is unlinked and notifications stopped; the school will give you paper extracts. /menu
settings-calendar-feed = 📅 Calendar subscription
feed-title = <b>📅 Calendar subscription</b>
feed-explain = A personal link for Google Calendar, Apple Calendar or Outlook: the timetable with replacements and cancellations, tests and homework due dates. Do not share it: anyone with the link sees the calendar. If it reached someone else, issue a new one and the old one stops working.
feed-state-on = • { $name }: link issued
feed-state-off = • { $name }: no link
feed-nobody = No children with consent to data processing.
feed-issue = ➕ Link: { $name }
feed-reissue = 🔄 New link: { $name }
feed-revoke = 🚫 Revoke: { $name }
feed-revoked = The link is revoked: the calendar no longer opens with it.
feed-issued = Calendar link ({ $name }):
    <code>{ $url }</code>

    Add it to your calendar as a subscription by address (URL). The link is shown only once; the previous link no longer works.
