"""Telegram played locally, for tests, `diary demo` and the benchmark."""
