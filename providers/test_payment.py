"""The payment service honours what session and subscription expect of it: debits, refunds, allocations, replays."""

from __future__ import annotations

from solo60.harness.made.pact_files import PactFile

PROVIDER = "payment"


def test_payment_honours_its_consumers_pacts(verify_pacts, pact_file: PactFile | None) -> None:
    verify_pacts(pact_file)
