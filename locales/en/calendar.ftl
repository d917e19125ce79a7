# The school calendar of the student's grade; period names shared by the marks views.
calendar-period-quarter = Quarter { $number }
calendar-period-half_year = Half-year { $number }
calendar-period-year = School year
calendar-period-holidays = { $season ->
    [autumn] Autumn holidays
    [winter] Winter holidays
    [spring] Spring holidays
    [extra] Extra holidays
   *[summer] Summer holidays
}
calendar-title = 🗓 <b>Terms and holidays</b>, { $klass }
calendar-terms-title = <b>Terms</b>
calendar-term-line = { $name }: { $start } — { $end }
calendar-term-line-current = ▶️ <b>{ $name }: { $start } — { $end }</b> (now)
calendar-year-line = { $name }: { $start } — { $end }
calendar-holidays-title = <b>Holidays</b>
calendar-holiday-line = { $name }: { $start } — { $end }
calendar-holiday-line-current = ▶️ <b>{ $name }: { $start } — { $end }</b> (now)
calendar-days-left = { $days ->
    [one] { $days } day
   *[other] { $days } days
} left until the end of { $name }.
calendar-last-day = Today is the last day of { $name }.
calendar-holidays-now = Holidays now, until { $end } inclusive.
calendar-after-term = { $name } ended on { $end }.
calendar-empty = The school has not entered its terms yet.
