"""`make bench`: every benchmark of the project in one run, one JSON object out.

Each part runs as a process of its own (`python -m bot.bench_*`), one after another, so one
part's imports, caches and event loop never flatter or slow another; each prints one JSON
object as its last line. The parts:

- `updates`: the real dispatcher's updates a second beside a bare aiogram echo bot and an
  echo bot with one SELECT (bot/bench_updates.py);
- `views`: p50/p95/p99 per view at 10 million marks and at 10,000, on generated districts
  cached under var/bench (bot/bench_district.py; the first run builds them);
- `fanout`: class- and school-wide events and the Friday forecast job on a school of 1,000
  (bot/bench_fanout.py);
- `exchange`: a class year of marks through the journal-exchange API (bot/bench_exchange.py);
- `delivery` and `reports`: pushes at Telegram's limits on the wire, and every school report
  on a generated school year (bot/bench.py).

`goals` sets each measured ratio beside its goal. The whole object is also written to
var/bench/latest.json. `--skip PART` leaves a part out (repeatable); `--quick` runs the
delivery part with 300 chats instead of 2,000.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bot.settings import PROJECT_ROOT

PARTS: dict[str, list[str]] = {
    "updates": ["bot.bench_updates"],
    "views": ["bot.bench_district"],
    "fanout": ["bot.bench_fanout"],
    "exchange": ["bot.bench_exchange"],
    "delivery": ["bot.bench", "--only", "delivery"],
    "reports": ["bot.bench", "--only", "reports"],
}


def run_part(name: str, module_args: list[str]) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", *module_args], cwd=PROJECT_ROOT,
                          stdout=subprocess.PIPE, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"error": f"exit {done.returncode}",
                "seconds": round(time.perf_counter() - started, 1)}
    result: dict[str, Any] = json.loads(lines[-1])
    # A part may wrap its figures in its own name ({"exchange": {...}}): unwrap it.
    if list(result) == [name]:
        result = result[name]
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


def _get(result: dict[str, Any], *path: str) -> Any:
    value: Any = result
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def goals(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Each goal of the production issue beside what this run measured."""
    out: dict[str, Any] = {}

    def goal(name: str, measured: Any, target: float, *, at_most: bool = False) -> None:
        if measured is None:
            return
        met = measured <= target if at_most else measured >= target
        out[name] = {"measured": measured, "goal": f"{'<=' if at_most else '>='} {target}",
                     "met": met}

    for mode in ("concurrent", "sequential"):
        goal(f"updates_vs_echo_{mode}",
             _get(results, "updates", f"ratio_real_to_echo_{mode}"), 0.2)
        goal(f"updates_vs_echo_select_{mode}",
             _get(results, "updates", f"ratio_real_to_echo_select_{mode}"), 0.5)
    goal("views_p99_10M_vs_10k_worst", _get(results, "views", "p99_ratio_max"), 1.5,
         at_most=True)
    # "A few statements, not thousands" for a school of 1,000; the same at 100 and 1,000.
    goal("forecast_job_statements_school_of_1000",
         _get(results, "fanout", "forecast_weekly_job", "statements"), 20, at_most=True)
    goal("exchange_vs_bare_executemany", _get(results, "exchange", "ratio"), 0.5)
    goal("delivery_vs_limit", _get(results, "delivery", "ratio_to_limit"), 0.9)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--skip", action="append", default=[], choices=sorted(PARTS))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    results: dict[str, dict[str, Any]] = {}
    for name, module_args in PARTS.items():
        if name in args.skip:
            continue
        if args.quick and name == "delivery":
            module_args = [*module_args, "--chats", "300"]
        print(f"bench: {name}…", file=sys.stderr, flush=True)
        results[name] = run_part(name, module_args)
    report = {**results, "goals": goals(results)}
    out = PROJECT_ROOT / "var" / "bench" / "latest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
