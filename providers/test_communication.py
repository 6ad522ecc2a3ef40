"""The communication service honours what session, subscription and auth expect of it: their mails."""

from __future__ import annotations

from solo60.harness.made.pact_files import PactFile

PROVIDER = "communication"


def test_communication_honours_its_consumers_pacts(verify_pacts, pact_file: PactFile | None) -> None:
    verify_pacts(pact_file)
