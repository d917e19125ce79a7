"""The fault suite: each case records what it tried and what it checked was not lost;
the summary is printed at the end of the run (and asserted by the case itself)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

_REPORTS: list[str] = []


@pytest.fixture
def fault_report(request: pytest.FixtureRequest) -> Callable[..., None]:
    """`fault_report(tried="…", kept="…")`: one line in the fault summary."""

    def report(*, tried: str, kept: str) -> None:
        _REPORTS.append(f"{request.node.name}: tried {tried}; kept {kept}")

    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _REPORTS:
        terminalreporter.section("fault suite")
        for line in _REPORTS:
            terminalreporter.write_line(line)
