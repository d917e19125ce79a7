"""Telegram played locally: tools for the tests, `diary demo` and the benchmark.

Telegram is out of reach from CI and from a demo laptop, and a bug in how the bot talks to
it (a message over the limit, HTML Telegram cannot parse, callback data over 64 bytes, an
edit that changes nothing, a blocked chat, a 429) must fail a test rather than show up in
production. So the real Bot and Dispatcher run against one of two stand-ins:

- `local_session.LocalSession`, an aiogram session answering in-process: no network, no
  aiogram HTTP layer; it records every request (`record.Record`) and keeps each message's
  current state. Handler tests and `diary demo` use it; `latency` plays a slow Telegram.
- `server.FakeTelegram`, a Bot API server over HTTP (`python -m telegram_fakes.server
  --port 8081`): aiogram's real session, form encoding, flood control with 429 and
  retry_after, injected failures. End-to-end tests and the benchmark use it.
- `chat_client.ChatClient` plays a user on top of LocalSession: it feeds real `Update`
  objects through `dp.feed_update`, from a private chat or a group, and returns the bot's
  answers.

Both fakes take what Telegram accepts from `rules`, one rulebook: the limits, length
counted in UTF-16 code units after entity parsing, the HTML parse mode and Telegram's
wording of each refusal. They answer the same requests the same way
(tests/test_fakes_agree.py).

Handlers, services and `diary run` never import this package (handlers keep their own
copies of the limits they need; only `diary demo` builds on LocalSession), and nothing here
imports the bot. `server` and `rules` use only aiohttp and the
standard library, so the server starts in processes that never load aiogram; keep this
file free of imports for that reason.
"""
