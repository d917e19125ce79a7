"""All configuration, from the environment (and an optional .env file)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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

    # The journal exchange API (`diary serve`, api/).
    exchange_host: str = Field(default="127.0.0.1", description="Address `diary serve` binds")
    exchange_port: int = Field(default=8080, description="Port `diary serve` listens on")
    exchange_body_limit: int = Field(default=10 * 1024 * 1024,
                                     description="Largest batch body accepted, in bytes")
    exchange_rate_per_minute: float = Field(default=60.0,
                                            description="Requests a minute allowed per token")
