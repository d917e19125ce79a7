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
