menu-staff-consents = 📝 Согласия
consents-choose-class = Согласия на обработку персональных данных: выберите класс.
consents-title =
    <b>{ $klass }: согласия</b> (редакция текста { $version })
    В боте: { $linked } из { $people } · ✅ согласие: { $consented } · ❌ отказ, бумага: { $refused } · ⏳ ждём: { $waiting }
consents-own-open = {" "}— ученик в боте
consents-own-waiting = {" "}— ученик в боте, ждёт согласия
consents-own-none = {""}
consents-status-consented = ✅ { $who } — согласие{ $details }{ $linked }
consents-status-refused = ❌ { $who } — отказ, выписка на бумаге{ $details }{ $linked }
consents-status-waiting = ⏳ { $who } — ждём ответа{ $linked }
consents-linked = {" "}· в боте
consents-form = , бланк № { $number } от { $date }
consents-unnamed-chat = чат по коду без имени
consents-record = ✍️ Записать бланк
consents-choose-student = Чей бланк записать?
consents-choose-guardian = { $name }: кто подписал бланк?
consents-given = ✅ Согласие
consents-refused = ❌ Отказ
consents-choose-decision = { $guardian } ({ $name }): что в бланке?
consents-ask-form = Пришлите номер бланка и дату подписи, например: <code>12 20.11.2026</code>. Без даты — сегодня.
consents-recorded = Записано: { $decision ->
        [given] согласие
       *[refused] отказ
    } — { $guardian } ({ $name }), бланк № { $number } от { $date }, редакция текста { $version }.
