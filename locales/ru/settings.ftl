settings-title =
    <b>Настройки</b>
    Язык: { $lang }
settings-lang-ru = 🇷🇺 Русский
settings-lang-en = 🇬🇧 English
settings-notifications = 🔔 Уведомления
settings-add-child = ➕ Привязать ещё ребёнка
settings-add-child-text = Пришлите код доступа, который школа выдала для ещё одного ребёнка (или откройте ссылку с кодом).
settings-unlink = Отвязать: { $name }
settings-withdraw = Отозвать согласие ({ $name })
settings-confirm = Да, подтверждаю
settings-unlink-confirm = Отвязать ребёнка: { $name }? Оценки и уведомления об этом ребёнке перестанут приходить сюда. Привязать снова можно только по новому коду из школы.
settings-withdraw-confirm = Отозвать согласие на обработку персональных данных ({ $name })? Ребёнок будет отвязан, уведомления прекратятся, а школа будет выдавать вам выписку на бумаге.
settings-unlink-done = Готово: ребёнок отвязан. /menu
settings-withdraw-done = Согласие отозвано. Ребёнок отвязан, уведомления остановлены; школа будет выдавать выписку на бумаге. /menu
