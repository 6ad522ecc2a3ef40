"""Publishing pacts to a broker, from the CLI or at the end of `pytest consumers/ --publish`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from solo60.harness.pact_files import PactFile


def publish_from_pytest(config: Any, written: Sequence[PactFile], reporter: Any) -> None:
    """`pytest consumers/ --publish --broker-url URL`: publish what this run wrote."""
    from solo60.harness.broker_api import BrokerAPI
    from solo60.harness.versions import current_branch, current_version

    broker = BrokerAPI.from_env(config.getoption("--broker-url"))
    version = config.getoption("--consumer-version") or current_version(pact.path for pact in written)
    branch = config.getoption("--consumer-branch") or current_branch()
    for pact in written:
        broker.publish(pact, version=version, branch=branch)
        if reporter is not None:
            reporter.write_line(f"  published {pact.pair} as {pact.consumer} {version} ({branch})")
