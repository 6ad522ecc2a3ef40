"""Consumer pact suites: each module drives one consumer's real client against the Pact mock server.

A module names its pair with `CONSUMER = "session"` and `PROVIDER = "payment"` and takes the
`contract` fixture. Workers (pytest-xdist) stage their pact files apart; the controller merges
them into `pacts/` (or `--pacts-dir`) when the run ends, and publishes them with `--publish`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from solo60.harness.consumer import ContractTest
from solo60.harness.pact_files import merge_staged, staging_dir

RUN_VARIABLE = "SOLO60_PACT_RUN"


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("PACT_DO_NOT_TRACK", "true")
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist) names the run
        os.environ[RUN_VARIABLE] = uuid.uuid4().hex[:12]


def _pacts_dir(config: pytest.Config) -> Path:
    return Path(config.getoption("--pacts-dir")).resolve()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if hasattr(config, "workerinput") or RUN_VARIABLE not in os.environ:
        return
    pacts_dir = _pacts_dir(config)
    written = merge_staged(pacts_dir, os.environ[RUN_VARIABLE])
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and written:
        reporter.write_sep("-", f"{len(written)} pacts written to {pacts_dir}")
        for pact in written:
            reporter.write_line(f"  {pact.pair}: {pact.interactions} interactions ({pact.path.name})")
    if written and config.getoption("--publish") and exitstatus == 0:
        from solo60.harness.publishing import publish_from_pytest

        publish_from_pytest(config, written, reporter)


@pytest.fixture
def contract(request: pytest.FixtureRequest) -> Iterator[ContractTest]:
    """A fresh pact for this test's consumer -> provider pair (named by the module).

    A test that declares interactions but never finishes a client call against the mock
    (an exception left `contract.client()`, perhaps caught outside it) wrote no pact: it fails.
    """
    consumer = getattr(request.module, "CONSUMER", None)
    provider = getattr(request.module, "PROVIDER", None)
    if not consumer or not provider:
        raise pytest.UsageError(f"{request.module.__name__} must set CONSUMER and PROVIDER")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    directory = staging_dir(_pacts_dir(request.config), os.environ[RUN_VARIABLE], worker)
    test = ContractTest(consumer, provider, directory)
    yield test
    if test.declared and not test.written:
        pytest.fail(
            f"{test.declared} interaction(s) declared but no pact written: the client never finished against "
            "the mock server (did an exception leave `contract.client()`?)",
            pytrace=False,
        )
