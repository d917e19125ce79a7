"""A delivery worker in a process of its own, for the crash test (which kills it with
SIGKILL mid-batch): `python -m tests.delivery_child DB_URL API_URL [--lease S]`."""

from __future__ import annotations

import argparse
import asyncio
import logging

from bot.app import build_bot
from bot.delivery import DeliveryWorker
from services.db import make_engine, make_sessionmaker


async def main(db_url: str, api_url: str, lease: float, worker_id: str) -> None:
    engine = make_engine(db_url)
    bot = build_bot("42:TEST", api_url=api_url)
    try:
        worker = DeliveryWorker(bot, make_sessionmaker(engine), worker_id=worker_id,
                                lease=lease, idle_interval=0.1)
        await worker.run_forever(asyncio.Event())
    finally:
        await bot.session.close()
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("db_url")
    parser.add_argument("api_url")
    parser.add_argument("--lease", type=float, default=2.0)
    parser.add_argument("--worker-id", default="child")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(args.db_url, args.api_url, args.lease, args.worker_id))
