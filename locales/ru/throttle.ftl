# The per-chat flood throttle (bot/throttle.py): said at most once per window.
throttled = Слишком много запросов. Подождите немного и попробуйте снова.
