"""The user service honours what auth, session and communication expect of it."""

from __future__ import annotations

from solo60.harness.made.pact_files import PactFile

PROVIDER = "user"


def test_user_honours_its_consumers_pacts(verify_pacts, pact_file: PactFile | None) -> None:
    verify_pacts(pact_file)
