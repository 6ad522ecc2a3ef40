"""The pytest options of the consumer and provider suites, and the broker access they resolve to.

The root `conftest.py` adds them; `consumers/` and `providers/` read them here, so a CI job
that passes `--broker-url` (or sets `PACT_BROKER_BASE_URL` and the credentials) reaches the
broker exactly as `solo60 publish` and `solo60 verify` do.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from solo60.harness.broker_access import BrokerAccess, BrokerAccessError, BrokerError


def add_harness_options(group: Any, *, default_pacts_dir: Path) -> None:
    """`--broker-url` and its credentials, `--publish`, versions and branches, `--pacts-dir`."""
    group.addoption(
        "--broker-url",
        default=None,
        help="Pact Broker to publish to and verify from (default: $PACT_BROKER_BASE_URL; none: local pacts).",
    )
    group.addoption("--broker-username", default=None, help="Broker basic auth user (default: $PACT_BROKER_USERNAME).")
    group.addoption(
        "--broker-password", default=None, help="Broker basic auth password (default: $PACT_BROKER_PASSWORD)."
    )
    group.addoption("--broker-token", default=None, help="Broker bearer token (default: $PACT_BROKER_TOKEN).")
    group.addoption(
        "--publish",
        action="store_true",
        default=False,
        help="Publish pacts (consumer suites) or verification results (provider suites) to the broker.",
    )
    group.addoption(
        "--provider-version",
        default=os.environ.get("SOLO60_PROVIDER_VERSION"),
        help="Provider version to publish verification results with (default: the git SHA).",
    )
    group.addoption(
        "--consumer-version",
        default=os.environ.get("SOLO60_CONSUMER_VERSION"),
        help="Consumer version to publish pacts with (default: the git SHA).",
    )
    group.addoption(
        "--consumer-branch",
        default=os.environ.get("SOLO60_CONSUMER_BRANCH"),
        help="Consumer branch to publish pacts with (default: the git branch).",
    )
    group.addoption(
        "--pacts-dir",
        default=os.environ.get("SOLO60_PACTS_DIR", str(default_pacts_dir)),
        help="Directory the consumer suites write pacts to and local verification reads from.",
    )


def broker_access(config: pytest.Config) -> BrokerAccess | None:
    """The broker the options (else the PACT_BROKER_* variables) name, or None; a bad combination stops the run."""
    try:
        return BrokerAccess.resolve(
            config.getoption("--broker-url"),
            username=config.getoption("--broker-username"),
            password=config.getoption("--broker-password"),
            token=config.getoption("--broker-token"),
        )
    except BrokerAccessError as error:
        raise pytest.UsageError(str(error)) from None


def checked_broker_access(config: pytest.Config) -> BrokerAccess:
    """The broker a run needs, read once before any test runs: refused credentials, a failing or an
    unreachable broker stop the run at once, with one line naming the broker and the status."""
    access = broker_access(config)
    if access is None:
        raise pytest.UsageError("this run needs a broker: give --broker-url or set PACT_BROKER_BASE_URL")
    try:
        with access.client() as client:
            client.check()
    except BrokerError as error:
        raise pytest.UsageError(str(error)) from None
    return access
