"""The Bot API methods the fake server answers, over the messages it keeps.

One handler per method: it reads the decoded request, applies `telegram_fakes.rules` (the
same rulebook LocalSession uses) and returns the result Telegram would, or raises.
"""

from __future__ import annotations

import json
import mimetypes
import time
from collections.abc import Callable
from typing import Any

from telegram_fakes import rules
from telegram_fakes.updates import UpdateQueue
from telegram_fakes.wire import ApiError, Recorded, UploadedFile, as_int, bad_request, inline_markup

Handler = Callable[[Recorded, int], Any]


class BotMethods:
    """The message state and the method handlers; FakeTelegram adds the HTTP layer."""

    bot_username: str
    bot_first_name: str
    strict_edits: bool
    _messages: dict[tuple[int, int], dict[str, Any]]
    _next_message_id: dict[int, int]
    _deleted: set[tuple[int, int]]
    _updates: UpdateQueue
    _commands: dict[tuple[str, str], list[Any]]
    _webhook_url: str
    _serial: int

    def _method_handlers(self) -> dict[str, Handler]:
        """Handlers by lower-case method name (Telegram's names are case-insensitive)."""
        return {
            name.lower(): handler
            for name, handler in {
                "getMe": self._get_me,
                "sendMessage": self._send_message,
                "sendPhoto": self._send_photo,
                "sendDocument": self._send_document,
                "editMessageText": self._edit_text,
                "editMessageReplyMarkup": self._edit_reply_markup,
                "editMessageCaption": self._edit_caption,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_callback_query,
                "sendChatAction": self._send_chat_action,
                "setMyCommands": self._set_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "getMyCommands": self._get_my_commands,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "close": self._true,
                "logOut": self._true,
            }.items()
        }

    # --- objects -----------------------------------------------------------------------------

    def _remember_incoming(self, update: dict[str, Any]) -> None:
        """Store messages carried by an update so edits/deletes of them work, and keep message
        ids shared between user and bot as in a real private chat."""
        candidates = [update.get(k) for k in ("message", "edited_message", "channel_post")]
        query = update.get("callback_query")
        if isinstance(query, dict):
            candidates.append(query.get("message"))
        for msg in candidates:
            if not isinstance(msg, dict):
                continue
            chat_id = as_int((msg.get("chat") or {}).get("id"))
            message_id = as_int(msg.get("message_id"))
            if chat_id is None or message_id is None:
                continue
            self._messages.setdefault((chat_id, message_id), msg)
            last = self._next_message_id.get(chat_id, 0)
            self._next_message_id[chat_id] = max(last, message_id)

    def _bot_user(self, bot_id: int) -> dict[str, Any]:
        return {
            "id": bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    @staticmethod
    def _chat(chat_id: int) -> dict[str, Any]:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
        # -100… ids are supergroups (and channels); shorter negative ids are basic groups.
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}

    def _take_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 0) + 1
        self._next_message_id[chat_id] = message_id
        return message_id

    def _new_message(self, rec: Recorded, bot_id: int, content: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._require_chat(rec)
        _check_markup(rec)
        message: dict[str, Any] = {
            "message_id": self._take_message_id(chat_id),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self._bot_user(bot_id),
            **content,
        }
        markup = inline_markup(rec.params)
        if markup is not None:
            message["reply_markup"] = markup
        self._messages[(chat_id, message["message_id"])] = message
        return dict(message)

    @staticmethod
    def _require_chat(rec: Recorded) -> int:
        if "chat_id" not in rec.params:
            raise bad_request("chat_id is empty")
        if rec.chat_id is None:
            raise ApiError(400, "Bad Request: chat not found", "chat_not_found")
        return rec.chat_id

    def _file_ids(self) -> tuple[str, str]:
        self._serial += 1
        n = self._serial
        return f"BQACAgIAAxkBAAI{n:010d}", f"AgAD{n:08d}"

    def _caption(self, rec: Recorded) -> dict[str, Any]:
        source = rec.params.get("caption")
        if not isinstance(source, str) or not source:
            return {}
        return _formatted("caption", rules.caption, source, rec, "caption_entities")

    def _text(self, rec: Recorded) -> dict[str, Any]:
        source = rec.params.get("text")
        source = source if isinstance(source, str) else ""
        return _formatted("text", rules.message_text, source, rec, "entities")

    # --- method handlers -----------------------------------------------------------------------

    def _true(self, rec: Recorded, bot_id: int) -> bool:
        return True

    def _answer_callback_query(self, rec: Recorded, bot_id: int) -> bool:
        text = rec.params.get("text")
        rules.check_alert(text if isinstance(text, str) else None)
        return True

    def _get_me(self, rec: Recorded, bot_id: int) -> dict[str, Any]:
        return {
            **self._bot_user(bot_id),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _send_message(self, rec: Recorded, bot_id: int) -> dict[str, Any]:
        self._require_chat(rec)
        return self._new_message(rec, bot_id, self._text(rec))

    def _send_photo(self, rec: Recorded, bot_id: int) -> dict[str, Any]:
        self._require_chat(rec)
        photo = rec.params.get("photo")
        if photo is None or photo == "":
            raise bad_request("there is no photo in the request")
        size = len(photo.data) if isinstance(photo, UploadedFile) else 50_000
        sizes = []
        for width, height, share in ((90, 67, 0.02), (320, 240, 0.15), (1280, 960, 1.0)):
            file_id, unique_id = self._file_ids()
            if isinstance(photo, str) and not photo.startswith(("http://", "https://")):
                file_id = photo  # resent by file_id: Telegram answers with the same id
            sizes.append(
                {
                    "file_id": file_id,
                    "file_unique_id": unique_id,
                    "width": width,
                    "height": height,
                    "file_size": max(1, int(size * share)),
                }
            )
        return self._new_message(rec, bot_id, {"photo": sizes, **self._caption(rec)})

    def _send_document(self, rec: Recorded, bot_id: int) -> dict[str, Any]:
        self._require_chat(rec)
        document = rec.params.get("document")
        if document is None or document == "":
            raise bad_request("there is no document in the request")
        file_id, unique_id = self._file_ids()
        info: dict[str, Any] = {"file_id": file_id, "file_unique_id": unique_id}
        if isinstance(document, UploadedFile):
            mime = mimetypes.guess_type(document.filename)[0] or document.content_type
            info.update(file_name=document.filename, mime_type=mime, file_size=len(document.data))
        elif not document.startswith(("http://", "https://")):
            info["file_id"] = document
        return self._new_message(rec, bot_id, {"document": info, **self._caption(rec)})

    def _target(self, rec: Recorded) -> dict[str, Any] | None:
        """The message an edit addresses; None for inline messages (Telegram answers True)."""
        if "inline_message_id" in rec.params:
            return None
        chat_id = self._require_chat(rec)
        message_id = as_int(rec.params.get("message_id"))
        if message_id is None:
            raise bad_request("message identifier is not specified")
        key = (chat_id, message_id)
        message = self._messages.get(key)
        if message is None:
            if self.strict_edits or key in self._deleted:
                raise bad_request("message to edit not found")
            message = {"message_id": message_id, "date": int(time.time()),
                       "chat": self._chat(chat_id)}  # fmt: skip
            self._messages[key] = message
        return message

    @staticmethod
    def _apply_edit(
        message: dict[str, Any], changes: dict[str, Any], markup: dict[str, Any] | None
    ) -> dict[str, Any]:
        fresh = "edit_date" not in message and "from" not in message  # synthesized placeholder
        same = all(message.get(k) == v for k, v in changes.items())
        if not fresh and same and message.get("reply_markup") == markup:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        message.update(changes)
        if markup is None:
            message.pop("reply_markup", None)  # an edit without markup removes the keyboard
        else:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        return dict(message)

    def _edit_text(self, rec: Recorded, bot_id: int) -> dict[str, Any] | bool:
        _check_markup(rec)
        content = self._text(rec)
        message = self._target(rec)
        if message is None:
            return True
        if "entities" not in content:
            message.pop("entities", None)
        return self._apply_edit(message, content, inline_markup(rec.params))

    def _edit_reply_markup(self, rec: Recorded, bot_id: int) -> dict[str, Any] | bool:
        _check_markup(rec)
        message = self._target(rec)
        if message is None:
            return True
        return self._apply_edit(message, {}, inline_markup(rec.params))

    def _edit_caption(self, rec: Recorded, bot_id: int) -> dict[str, Any] | bool:
        _check_markup(rec)
        content = self._caption(rec)
        message = self._target(rec)
        if message is None:
            return True
        if "text" in message:
            raise bad_request("there is no caption in the message to edit")
        if "caption" not in content:
            message.pop("caption", None)
        return self._apply_edit(message, content, inline_markup(rec.params))

    def _delete_message(self, rec: Recorded, bot_id: int) -> bool:
        chat_id = self._require_chat(rec)
        message_id = as_int(rec.params.get("message_id"))
        key = (chat_id, message_id if message_id is not None else -1)
        if self._messages.pop(key, None) is None and (self.strict_edits or key in self._deleted):
            raise bad_request("message to delete not found")
        self._deleted.add(key)
        return True

    def _send_chat_action(self, rec: Recorded, bot_id: int) -> bool:
        self._require_chat(rec)
        return True

    @staticmethod
    def _commands_key(rec: Recorded) -> tuple[str, str]:
        scope = rec.params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(rec.params.get("language_code") or "")

    def _set_my_commands(self, rec: Recorded, bot_id: int) -> bool:
        commands = rec.params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        self._commands[self._commands_key(rec)] = commands
        return True

    def _delete_my_commands(self, rec: Recorded, bot_id: int) -> bool:
        self._commands.pop(self._commands_key(rec), None)
        return True

    def _get_my_commands(self, rec: Recorded, bot_id: int) -> list[Any]:
        return self._commands.get(self._commands_key(rec), [])

    def _set_webhook(self, rec: Recorded, bot_id: int) -> bool:
        self._webhook_url = str(rec.params.get("url") or "")
        if rec.params.get("drop_pending_updates") is True:
            self._updates.clear()
        return True

    def _delete_webhook(self, rec: Recorded, bot_id: int) -> bool:
        self._webhook_url = ""
        if rec.params.get("drop_pending_updates") is True:
            self._updates.clear()
        return True

    def _get_webhook_info(self, rec: Recorded, bot_id: int) -> dict[str, Any]:
        return {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }


def _formatted(key: str, check: Callable[[str, str | None], rules.Formatted], source: str,
               rec: Recorded, entities_key: str) -> dict[str, Any]:
    """Text or caption and its entities as Telegram stores them (see rules)."""
    given = rec.params.get(entities_key)
    parse_mode = rec.params.get("parse_mode")
    # Explicit entities win over parse_mode, as in Telegram.
    mode = parse_mode if isinstance(parse_mode, str) and not isinstance(given, list) else None
    result = check(source, mode)
    if not result.text:
        return {}
    content: dict[str, Any] = {key: result.text}
    if isinstance(given, list):
        content[entities_key] = given
    elif result.entities:
        content[entities_key] = [entity.as_dict() for entity in result.entities]
    return content


def _check_markup(rec: Recorded) -> None:
    markup = inline_markup(rec.params)
    rows = markup["inline_keyboard"] if markup else []
    rules.check_callback_data(button.get("callback_data") for row in rows for button in row
                              if isinstance(button, dict))
