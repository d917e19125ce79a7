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
