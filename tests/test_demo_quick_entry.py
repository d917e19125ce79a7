"""`diary demo`: a teacher identity enters an absence and homework through quick entry
(on for the demo school), and switching to the parent shows the pushes that arrived."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path

from bot.console import CHOOSE, Identity, run_console
from bot.delivery import DeliveryWorker
from services.demo_seed import DEMO_ACCOUNTS
from tests.conftest import BotEnv
from tests.test_quick_entry import GUARDIAN, MATHS, child_of

DELIVER = "<deliver>"


def scripted(out: list[str], steps: list[str], deliver: Callable[[], None]) -> Callable[[str], str]:
    """Each step is a line to type, "press:TEXT" (the number of the latest button holding
    TEXT), or DELIVER (the delivery worker's round, as it runs beside the demo)."""
    it = iter(steps)

    def read(prompt: str) -> str:
        while True:
            step = next(it)
            if step == DELIVER:
                deliver()
                continue
            if not step.startswith("press:"):
                return step
            wanted = step[len("press:"):]
            for line in reversed(out):
                for number, label in re.findall(r"\[(\d+)\] (.+?)(?=\s{2}\[\d+\]|$)", line):
                    if wanted in label:
                        return number
            raise AssertionError(f"no button {wanted!r} on screen")

    return read


async def test_teacher_enters_an_absence_and_homework_parent_sees_the_pushes(
        bot_env: BotEnv, tmp_path: Path) -> None:
    assert await bot_env.scalar("SELECT quick_entry FROM schools WHERE external_id = "
                                "'demo-school'")
    identities = [Identity(a.label, a.telegram_id) for a in DEMO_ACCOUNTS]
    number = {a.telegram_id: str(n) for n, a in enumerate(DEMO_ACCOUNTS, 1)}
    child = await child_of(bot_env)
    loop = asyncio.get_running_loop()
    worker = DeliveryWorker(bot_env.bot, bot_env.db.sessionmaker)

    def deliver() -> None:  # called from the console's input thread
        asyncio.run_coroutine_threadsafe(worker.run_once(), loop).result()

    out: list[str] = []
    steps = [number[GUARDIAN], ":who", number[MATHS], "press:Быстрый ввод", "press:5А · Математика",
             f"press:✅ {child.last_name} {child.first_name}", "press:Сохранить",
             "press:Домашнее задание", "№ 125, 126 (демо)", DELIVER,
             ":who", number[GUARDIAN], ":quit"]
    await run_console(bot_env.dp, bot_env.bot, bot_env.session, identities,
                      input_func=scripted(out, steps, deliver), output=out.append,
                      files_dir=tmp_path)
    shown = "\n".join(out)
    assert "Посещаемость сохранена: отсутствуют 1" in shown
    assert "домашнее задание сохранено" in shown
    guardian = next(a.label for a in DEMO_ACCOUNTS if a.telegram_id == GUARDIAN)
    # The pushes reach the parent's chat while the teacher is at the keyboard …
    pushes = [line for line in out if line.startswith(f"→ {guardian}: ")]
    assert any("посещаемость" in p and "Математика" in p for p in pushes), pushes
    assert any("№ 125, 126 (демо)" in p for p in pushes), pushes
    # … and switching to the parent shows the latest message there: the push that arrived.
    switched = out[out.index(CHOOSE, out.index(pushes[-1])):]
    latest = next(line for line in switched if line.startswith("(последнее сообщение"))
    assert "№ 125, 126 (демо)" in latest, latest
