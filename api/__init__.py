"""The journal exchange HTTP API (aiohttp). No aiogram here: `diary serve` starts fast, and
the same app can be mounted as a sub-application of the webhook app."""

from api.app import build_exchange_app

__all__ = ["build_exchange_app"]
