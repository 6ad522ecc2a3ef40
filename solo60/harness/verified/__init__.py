"""Where a pact is verified: `verification.py` replays pacts against the live provider with the
official verifier and says what failed; `junit.py` writes the results as JUnit XML."""
