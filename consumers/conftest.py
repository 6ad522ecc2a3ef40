"""Consumer pact suites: each module drives one consumer's own code against the Pact mock server.

A module names its pair with `CONSUMER = "session"` and `PROVIDER = "payment"` and takes the
`contract` fixture. Each test stages its pact; when the run ends `pacts/` (or `--pacts-dir`)
is written for every pair whose tests were all collected, run and passed, the other pairs'
pacts are left as they were, and `--publish` publishes what was written
(`solo60/harness/made/pytest_plugin.py`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from solo60.clients._reading import recording
from solo60.harness.made import pytest_plugin
from solo60.harness.made.contract_test import ContractTest

RUN = pytest.StashKey[pytest_plugin.PactRun]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[RUN] = pytest_plugin.start(config)


@pytest.fixture
def contract(request: pytest.FixtureRequest) -> Iterator[ContractTest]:
    """A fresh pact for this test's consumer -> provider pair (named by the module).

    A test that declares interactions but never finishes a client call against the mock
    (an exception left `contract.client()`, perhaps caught outside it) wrote no pact: it fails.
    The clients record which response fields the test reads (its consumer's code and its own
    assertions); when it ends, the pact keeps only those.
    """
    consumer = getattr(request.module, "CONSUMER", None)
    provider = getattr(request.module, "PROVIDER", None)
    if not consumer or not provider:
        raise pytest.UsageError(f"{request.module.__name__} must set CONSUMER and PROVIDER")
    with recording() as recorder:
        test = ContractTest(consumer, provider, request.config.stash[RUN].staging())
        yield test
    test.keep_only_what_was_read(recorder.logs)
    if test.declared and not test.written:
        pytest.fail(
            f"{test.declared} interaction(s) declared but no pact written: the client never finished against "
            "the mock server (did an exception leave `contract.client()`?)",
            pytrace=False,
        )
