"""The subscription service honours what the payment service expects of it: the gateway's failed-renewal events."""

from __future__ import annotations

from solo60.harness.made.pact_files import PactFile

PROVIDER = "subscription"


def test_subscription_honours_its_consumers_pacts(verify_pacts, pact_file: PactFile | None) -> None:
    verify_pacts(pact_file)
