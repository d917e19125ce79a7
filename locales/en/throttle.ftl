# The per-chat flood throttle (bot/throttle.py): said at most once per window.
throttled = Too many requests. Please wait a moment and try again.
