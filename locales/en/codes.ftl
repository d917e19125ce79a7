menu-staff-codes = 🎟 Access codes
codes-choose-class = Which class needs codes? New codes replace the old unused ones.
codes-issued =
    { $klass }: { $count } { $count ->
        [one] code
       *[other] codes
    } for parents. Print and hand out the slips; the codes are valid for { $hours } h.
slip-title = Electronic diary access codes — { $klass }
slip-for-guardian = For the parent (legal guardian)
slip-for-student = For the student
slip-code = Code
slip-expires = Valid until
slip-instruction = Open the link or the QR code, or send the code to @{ $bot }.
codes-staff = 👩‍🏫 Staff codes
codes-staff-choose = Which colleague needs a code? Only those not yet connected are listed.
codes-staff-issued =
    Code for { $name }: <code>{ $code }</code>
    Link: { $link }
    Hand it over in person; the code works once and is valid for { $hours } h.
codes-class = Class codes. Unused guardian codes right now: { $count }.
codes-bulk = 🖨 Codes for the whole class
codes-bulk-confirm = Issue new codes for the whole class? { $count } unused { $count ->
        [one] code
       *[other] codes
    } will stop working.
codes-bulk-sure = Yes, issue again
codes-one = 👤 A code for one student or parent
codes-one-choose = Who is the code for? Classmates' codes stay valid.
codes-one-whom = { $name }: who gets the code?
codes-one-guardian = Parent: { $name }
codes-one-unnamed = Parent (not named)
codes-one-student = The student
codes-one-issued = Code for: { $name } — <code>{ $code }</code>. Valid for { $hours } h; this person's previous unused code no longer works.
codes-staff-replace = 🔁 Replace a colleague's chat
codes-staff-replace-choose = Whose chat should be replaced? The old chat loses access.
codes-staff-replace-confirm = Replace the chat of { $name }? The current chat loses access at once and is told so; the new code is shown here.
codes-staff-replace-sure = Yes, replace
slip-for-named = For: { $name }
