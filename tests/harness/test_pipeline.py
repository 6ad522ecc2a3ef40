"""`solo60 pipeline`, the README's main command, runs the whole contract loop and says yes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from solo60.harness.made.pact_files import pact_files
from solo60.services import SERVICE_NAMES

ROOT = Path(__file__).resolve().parents[2]
PAIRS = 11  # the consumer -> provider pairs of the design
MESSAGE_PAIRS = {"communication -> session", "communication -> subscription"}  # domain events, no HTTP


@pytest.mark.slow
def test_the_pipeline_verifies_every_pair_and_finds_every_service_deployable(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "solo60", "pipeline", "--pacts-dir", str(tmp_path / "pacts")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "COLUMNS": "200"},
    )
    output = completed.stdout + completed.stderr

    assert completed.returncode == 0, output[-5000:]
    pacts = pact_files(tmp_path / "pacts")
    assert len(pacts) == PAIRS, [pact.pair for pact in pacts]
    for pact in pacts:
        assert re.search(rf"{re.escape(pact.pair)}\s.*\s{pact.interactions}/{pact.interactions}\s.*verified", output), (
            pact.pair
        )
    for service in SERVICE_NAMES:
        assert re.search(rf"│ {service}\s+│ yes", output), service
    assert "every pact verified and every service deployable" in output
    assert "✓ compare with OpenAPI" in output
    assert f"{PAIRS}/{PAIRS} pacts" in output
    assert output.index("compare with OpenAPI") < output.index("start providers")  # before any provider starts
    for pact in pacts:  # communication's message pacts are nothing OpenAPI describes: their producers verify them
        expected = "producer verifies" if pact.pair in MESSAGE_PAIRS else "compatible"
        assert re.search(rf"{re.escape(pact.pair)}\s.*\s{expected}\s", output), pact.pair
    for stage in ("consumer pacts", "broker", "publish", "start providers", "verify user", "can-i-deploy"):
        assert f"✓ {stage}" in output
    assert "✓ fuzz" in output
    # The output is the verdict: the providers' warnings while verified (mail sink, outbox) stay out of it.
    assert "failed for good" not in output
    assert "SMTP_HOST is not set" not in output
