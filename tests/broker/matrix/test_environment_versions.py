"""can-i-deploy to an environment judges every provider version live there (pact_broker #934).

Several versions can be live at once (`record-release`, or deployments to different application
instances); each is a row of its own (`latestby=cvpv`), so an older incompatible one still blocks
the deployment, while a redeployment to the same (or no) instance replaces the previous version.
The cases are the official `spec/features/can_i_deploy_spec.rb` ones added by that change, asked
through `/can-i-deploy`, the branch route, and `/matrix` the way the Rust CLI asks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.broker.support import BrokerClient


@dataclass(frozen=True)
class Live:
    """Waffle 1's pact verified by Pancake `version`, which is then put live in production."""

    version: str
    success: bool
    how: str  # "release" or "deploy"
    instance: str | None = None

    def apply(self, broker: BrokerClient) -> None:
        broker.verify("Pancake", "Waffle", "1", self.version, success=self.success)
        if self.how == "release":
            broker.record_release("Pancake", self.version, "production")
        else:
            broker.record_deployment("Pancake", self.version, "production", self.instance)


CASES = [
    pytest.param([Live("10", False, "release"), Live("11", True, "release")], 2, False, id="released, older fails"),
    pytest.param([Live("10", True, "release"), Live("11", True, "release")], 2, True, id="released, all pass"),
    pytest.param(
        [Live("10", True, "deploy", "instance-1"), Live("11", True, "deploy", "instance-2")],
        2,
        True,
        id="deployed to two instances, all pass",
    ),
    pytest.param(
        [Live("10", False, "deploy", "instance-1"), Live("11", True, "deploy", "instance-2")],
        2,
        False,
        id="deployed to two instances, older fails",
    ),
    pytest.param([Live("10", False, "deploy")], 1, False, id="one deployed, fails"),
    pytest.param(
        [Live("10", True, "deploy"), Live("11", False, "deploy")], 1, False, id="redeployed, the new one fails"
    ),
    pytest.param(
        [Live("10", False, "deploy"), Live("11", True, "deploy")], 1, True, id="redeployed, the new one passes"
    ),
]

Ask = Callable[[BrokerClient], dict[str, Any]]
ASKS = [
    pytest.param(
        lambda b: b.get("/can-i-deploy?pacticipant=Waffle&version=1&environment=production").json(), id="can-i-deploy"
    ),
    pytest.param(
        lambda b: b.get(
            "/pacticipants/Waffle/branches/main/latest-version/can-i-deploy/to-environment/production"
        ).json(),
        id="branch route",
    ),
    pytest.param(lambda b: b.can_i_deploy("Waffle", "1", environment="production"), id="matrix as the CLI asks"),
]


@pytest.mark.parametrize("ask", ASKS)
@pytest.mark.parametrize(("live", "rows", "deployable"), CASES)
def test_every_provider_version_live_in_the_environment_is_judged(
    broker: BrokerClient, ask: Ask, live: list[Live], rows: int, deployable: bool
) -> None:
    broker.publish("Waffle", "1", "Pancake", branch="main")
    for step in live:
        step.apply(broker)
    answer = ask(broker)
    assert len(answer["matrix"]) == rows
    assert answer["summary"]["deployable"] is deployable, answer["summary"]
    live_versions = {row["provider"]["version"]["number"] for row in answer["matrix"]}
    assert live_versions == ({step.version for step in live} if rows == len(live) else {live[-1].version})


def test_the_failing_older_release_is_named(broker: BrokerClient) -> None:
    broker.publish("Waffle", "1", "Pancake")
    Live("10", False, "release").apply(broker)
    Live("11", True, "release").apply(broker)
    answer = broker.get("/can-i-deploy?pacticipant=Waffle&version=1&environment=production").json()
    assert answer["summary"]["reason"] == (
        "The verification for the pact between version 1 of Waffle and one of the versions of Pancake "
        "currently in production (10) failed"
    )
    assert (answer["summary"]["success"], answer["summary"]["failed"]) == (1, 1)
