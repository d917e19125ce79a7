menu-staff-codes = 🎟 Коды доступа
codes-choose-class = Для какого класса выпустить коды? Новые коды заменят ещё не использованные старые.
codes-issued =
    { $klass }: { $count } { $count ->
        [one] код
        [few] кода
       *[many] кодов
    } для родителей. Распечатайте и раздайте листки; коды действуют { $hours } ч.
slip-title = Коды доступа к электронному дневнику — { $klass }
slip-for-guardian = Для родителя (законного представителя)
slip-for-student = Для ученика
slip-code = Код
slip-expires = Действует до
slip-instruction = Откройте ссылку или QR-код, либо отправьте код боту @{ $bot }.
codes-staff = 👩‍🏫 Коды для сотрудников
codes-staff-choose = Кому из сотрудников выдать код? В списке те, кто ещё не подключён.
codes-staff-issued =
    Код для сотрудника { $name }: <code>{ $code }</code>
    Ссылка: { $link }
    Передайте лично; код одноразовый и действует { $hours } ч.
codes-class = Коды класса. Неиспользованных кодов для родителей сейчас: { $count }.
codes-bulk = 🖨 Коды всему классу
codes-bulk-confirm = Выпустить новые коды всему классу? { $count } { $count ->
        [one] неиспользованный код перестанет
        [few] неиспользованных кода перестанут
       *[many] неиспользованных кодов перестанут
    } действовать.
codes-bulk-sure = Да, выпустить заново
codes-one = 👤 Код одному ученику или родителю
codes-one-choose = Для кого код? Коды одноклассников останутся в силе.
codes-one-whom = { $name }: кому выдать код?
codes-one-guardian = Родителю: { $name }
codes-one-unnamed = Родителю (без имени)
codes-one-student = Самому ученику
codes-one-issued = Код для: { $name } — <code>{ $code }</code>. Действует { $hours } ч; прежний неиспользованный код этого человека больше не действует.
codes-staff-replace = 🔁 Заменить чат сотрудника
codes-staff-replace-choose = Чей чат заменить? Старый чат потеряет доступ.
codes-staff-replace-confirm = Заменить чат сотрудника { $name }? Текущий чат сразу потеряет доступ и получит об этом сообщение; новый код будет показан здесь.
codes-staff-replace-sure = Да, заменить
slip-for-named = Для: { $name }
