"""All configuration, from the environment (and an optional .env file)."""

from __future__ import annotations

import os
import secrets
import string
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# What Telegram allows in a webhook's secret token.
_SECRET_CHARS = frozenset(string.ascii_letters + string.digits + "_-")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8",
                                      extra="ignore")

    bot_token: str | None = Field(default=None, description="Telegram bot token")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; unset: embedded PostgreSQL under var/"
    )
    telegram_api_url: str | None = Field(
        default=None, description="Base URL of a local or self-hosted Bot API server"
    )
    redis_url: str | None = Field(default=None, description="Redis for shared FSM state")
    default_locale: str = Field(default="ru", description="Language of new users")
    bot_username: str = Field(default="diary_demo_bot",
                              description="Used in deep links when Telegram is unreachable")
    log_level: str = Field(default="INFO")
    jobs_interval_minutes: float = Field(
        default=5, gt=0, description="How often the scheduler asks which jobs are due"
    )
    # The per-chat flood throttle (bot/throttle.py): a burst, then a steady rate; what is
    # over it is dropped, with one "wait a moment" per notice window.
    throttle_burst: int = Field(default=15, ge=0, description="Updates one chat may send at "
                                "once before it is throttled; 0 turns the throttle off")
    throttle_per_second: float = Field(default=1.0, gt=0,
                                       description="Updates a second one chat may keep up")
    throttle_notice_seconds: float = Field(
        default=30.0, gt=0, description="A throttled chat is told at most once this often")
    code_secret: SecretStr | None = Field(
        default=None, description="Key of the link codes' HMAC; unset: read from "
        "CODE_SECRET_FILE, which is created on first start")
    code_secret_file: Path = Field(default=PROJECT_ROOT / "var" / "code_secret",
                                   description="Where the generated key is kept (mode 0600)")

    def code_key(self) -> bytes:
        """The server secret that keys stored code hashes; never kept in the database.
        Changing it invalidates every unused code."""
        if self.code_secret is not None and self.code_secret.get_secret_value():
            return self.code_secret.get_secret_value().encode()
        return _secret_file(self.code_secret_file)

    # The journal exchange API (`diary serve`, api/).
    exchange_host: str = Field(default="127.0.0.1", description="Address `diary serve` binds")
    exchange_port: int = Field(default=8080, description="Port `diary serve` listens on")
    exchange_body_limit: int = Field(default=10 * 1024 * 1024,
                                     description="Largest batch body accepted, in bytes")
    exchange_rate_per_minute: float = Field(default=60.0,
                                            description="Requests a minute allowed per token")
    public_url: str | None = Field(
        default=None, description="The address families reach `diary serve` at (calendar "
        "feeds); default http://EXCHANGE_HOST:EXCHANGE_PORT")

    # Webhook mode (`diary run --webhook`): the same app as `diary serve`, on
    # EXCHANGE_HOST:EXCHANGE_PORT, also takes Telegram's updates.
    webhook_url: str | None = Field(
        default=None, description="The public HTTPS address Telegram posts updates to; its "
        "path is where the app takes them")
    webhook_secret: SecretStr | None = Field(
        default=None, description="Telegram's X-Telegram-Bot-Api-Secret-Token (1-256 of "
        "A-Z a-z 0-9 _ -); a request without it is refused")
    webhook_body_limit: int = Field(default=1024 * 1024,
                                    description="Largest update body accepted, in bytes")

    def webhook_problem(self) -> str | None:
        """Why webhook mode cannot start with these settings, or None."""
        if not self.webhook_url:
            return "WEBHOOK_URL is not set (the address Telegram posts updates to)"
        if not self.webhook_url.startswith(("https://", "http://")):
            return "WEBHOOK_URL must be an http(s) address"
        secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
        if not secret:
            return "WEBHOOK_SECRET is not set (1-256 characters of A-Z, a-z, 0-9, _ and -)"
        if len(secret) > 256 or not _SECRET_CHARS.issuperset(secret):
            return "WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -"
        return None

    def feed_base_url(self) -> str:
        """Where calendar feed addresses begin (no trailing slash)."""
        if self.public_url:
            return self.public_url.rstrip("/")
        return f"http://{self.exchange_host}:{self.exchange_port}"


def _secret_file(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
        try:
            # A hard link appears whole or not at all: two first starts agree on one key.
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_bytes().strip()
