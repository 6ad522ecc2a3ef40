"""The live targets the fuzz suites run against, and a summary of what the baseline covered.

The seven services start once per session, together, because calls fan out to upstreams;
each on its own fresh SQLite file on a free port, seeded with the documented example ids.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from solo60.fuzz.live import LiveTargets, live_targets
from solo60.services import SERVICE_NAMES
from tests.fuzz.suite import SUITES


@pytest.fixture(scope="session")
def services() -> Iterator[LiveTargets]:
    with live_targets(SERVICE_NAMES) as live:
        for suite in SUITES:
            if suite.target.name in live.targets:
                suite.attach(live[suite.target.name])
        yield live
        for suite in SUITES:
            suite.seeder.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    ran = [suite for suite in SUITES if suite.tally.covered or suite.tally.new]
    if not ran:
        return
    terminalreporter.section("fuzz baseline")
    for suite in ran:
        for entry, count in sorted(suite.tally.covered.items(), key=lambda item: item[0].label):
            terminalreporter.write_line(f"{suite.target.name}: {entry.verdict} x{count}: {entry.label}")
