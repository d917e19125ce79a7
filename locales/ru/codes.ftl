menu-staff-codes = 🎟 Коды доступа
codes-choose-class = Для какого класса выпустить коды? Новые коды заменят ещё не использованные старые.
codes-issued =
    { $klass }: { $count } { $count ->
        [one] код
        [few] кода
       *[many] кодов
    } для родителей. Распечатайте и раздайте листки; коды действуют 72 часа.
slip-title = Коды доступа к электронному дневнику — { $klass }
slip-for-guardian = Для родителя (законного представителя)
slip-for-student = Для ученика
slip-code = Код
slip-expires = Действует до
slip-instruction = Откройте ссылку или QR-код, либо отправьте код боту @{ $bot }.
