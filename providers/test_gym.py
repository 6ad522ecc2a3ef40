"""The gym service honours what the session service expects of it: booking rules and slot prices."""

from __future__ import annotations

from solo60.harness.made.pact_files import PactFile

PROVIDER = "gym"


def test_gym_honours_its_consumers_pacts(verify_pacts, pact_file: PactFile | None) -> None:
    verify_pacts(pact_file)
