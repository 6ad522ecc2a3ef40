"""Proof that the gate bites for message pacts too: a producer renaming a payload field the consumer reads
fails verification and can-i-deploy says no.

Communication's real consumer suite makes its pact with the subscription service's events;
the pact goes to a broker, the live subscription service verifies it through the verifier's
message transport (building each event with its own code) and publishes the results, and the
official `pact broker can-i-deploy` gives the verdict. The rename is made to the producer's
payload model while it runs, as a code change would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import Field

from solo60.contracts.events.subscription import SubscriptionActivated
from solo60.harness.broker_access import BrokerAccess
from solo60.harness.made.pact_files import pact_files
from solo60.harness.published.publish import PublishOptions, publish_pact
from solo60.harness.verified.verification import BrokerSource, ResultsPublication, VerificationReport, verify
from solo60.harness.versions import Revision
from solo60.services.kit.server import running_services
from solo60.services.subscription import plan_events

ROOT = Path(__file__).resolve().parents[3]
PACT = ROOT / ".venv" / "bin" / "pact"
CONSUMER_VERSION = "communication-1"


@dataclass
class Loop:
    broker_url: str
    subscription_url: str

    def verify_from_broker(self, provider_version: str) -> VerificationReport:
        since = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
        return verify(
            "subscription",
            self.subscription_url,
            broker=BrokerSource(BrokerAccess(self.broker_url), provider_branch="main", include_wip_since=since),
            publish=ResultsPublication(Revision(provider_version, "main")),
            quiet=True,
        )

    def can_i_deploy(self, provider_version: str) -> subprocess.CompletedProcess[str]:
        pact = PACT if PACT.exists() else Path(shutil.which("pact") or "pact")
        return subprocess.run(
            [str(pact), "broker", "can-i-deploy", "--broker-base-url", self.broker_url,
             "--pacticipant", "communication", "--version", CONSUMER_VERSION,
             "--pacticipant", "subscription", "--version", provider_version],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip


@pytest.fixture(scope="module")
def loop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loop]:
    """Communication's message pact with subscription, published on main and verified once."""
    from broker.testing import running_broker

    tmp = tmp_path_factory.mktemp("message-gate")
    suite = "consumers/communication/test_communication_to_subscription.py"
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", suite, "-q", "-p", "no:randomly", "--pacts-dir", str(tmp / "pacts")],
        cwd=ROOT, capture_output=True, text=True, timeout=180, env={**os.environ, "PACT_DO_NOT_TRACK": "true"},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-2000:]
    (pact,) = pact_files(tmp / "pacts")
    environ = {**os.environ, "SOLO60_PROVIDER_STATES": "1", "SOLO60_DATA_DIR": str(tmp / "data")}
    with running_broker() as broker_url, running_services(["subscription"], environ=environ) as services:
        with BrokerAccess(broker_url).client() as broker:
            publish_pact(broker, pact, PublishOptions(Revision(CONSUMER_VERSION, "main")))
        state = Loop(broker_url, services["subscription"].url)
        assert state.verify_from_broker("subscription-baseline").ok
        yield state


class ActivatedWithRenamedPlan(SubscriptionActivated):
    """The event as a producer that renamed `planName` to `planTitle` would publish it."""

    plan_name: str = Field(serialization_alias="planTitle")


@pytest.mark.slow
def test_renaming_a_payload_field_fails_verification_naming_it_and_blocks_the_deploy(
    loop: Loop, monkeypatch: pytest.MonkeyPatch
) -> None:
    said_yes_before = loop.can_i_deploy("subscription-baseline")
    monkeypatch.setattr(plan_events, "SubscriptionActivated", ActivatedWithRenamedPlan)

    renamed = loop.verify_from_broker("subscription-renamed")
    said_no = loop.can_i_deploy("subscription-renamed")

    assert said_yes_before.returncode == 0, said_yes_before.stdout
    assert not renamed.ok, "the renamed producer passed verification"
    failures = renamed.describe_failures()
    assert 'communication -> subscription: "subscription.activated: a member\'s plan starts"' in failures
    assert "$.planName" in failures
    assert len(renamed.failures) == 1  # the other five events still carry planName
    assert (said_no.returncode, "Computer says no" in said_no.stdout) == (1, True), said_no.stdout
