menu-staff-consents = 📝 Consents
consents-choose-class = Consents to personal-data processing: choose a class.
consents-title =
    <b>{ $klass }: consents</b> (text version { $version })
    In the bot: { $linked } of { $people } · ✅ consented: { $consented } · ❌ refused, paper: { $refused } · ⏳ waiting: { $waiting }
consents-own-open = {" "}— student in the bot
consents-own-waiting = {" "}— student in the bot, waiting for consent
consents-own-none = {""}
consents-status-consented = ✅ { $who } — consented{ $details }{ $linked }
consents-status-refused = ❌ { $who } — refused, paper extracts{ $details }{ $linked }
consents-status-waiting = ⏳ { $who } — waiting{ $linked }
consents-linked = {" "}· in the bot
consents-form = , form no. { $number } of { $date }
consents-unnamed-chat = a chat linked by a code naming nobody
consents-record = ✍️ Record a form
consents-choose-student = Whose form is it?
consents-choose-guardian = { $name }: who signed the form?
consents-given = ✅ Consent
consents-refused = ❌ Refusal
consents-choose-decision = { $guardian } ({ $name }): what does the form say?
consents-ask-form = Send the form's number and the date it was signed, for example: <code>12 20.11.2026</code>. No date: today.
consents-recorded = Recorded: { $decision ->
        [given] consent
       *[refused] refusal
    } — { $guardian } ({ $name }), form no. { $number } of { $date }, text version { $version }.
