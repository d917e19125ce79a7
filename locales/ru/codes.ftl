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
