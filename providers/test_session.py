"""The session service honours what the user service expects of it: a user's sessions, page by page."""

from __future__ import annotations

from solo60.harness.made.pact_files import PactFile

PROVIDER = "session"


def test_session_honours_its_consumers_pacts(verify_pacts, pact_file: PactFile | None) -> None:
    verify_pacts(pact_file)
