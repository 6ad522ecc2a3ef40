"""A pact is what the consumer's own code sends: change the code and the pact changes with it.

The proof: in a copy of the checkout, subscription's renewal reminder renames a template
variable (`renewsAt` -> `renewalDate`), as a developer might. The consumer suite, unchanged,
writes a pact whose reminder carries `renewalDate`, and the communication service, unchanged,
fails to verify it: its template still needs `renewsAt`. With hand-typed requests the pact
would have stayed the same and verification would have passed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from solo60.harness.made.pact_files import pact_files
from solo60.harness.verified.verification import verify
from solo60.services.kit.server import running_services

ROOT = Path(__file__).resolve().parents[3]
SUITE = "consumers/subscription/test_subscription_to_communication.py"
MAILS = Path("solo60/services/subscription/mails.py")
REMINDER = "a renewal reminder"


def make_pact(checkout: Path, pacts: Path) -> Path:
    """Run the consumer suite of `checkout`, with its own code first on the path."""
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", SUITE, "-q", "-p", "no:randomly", "--pacts-dir", str(pacts)],
        cwd=checkout, capture_output=True, text=True, timeout=240,
        env={**os.environ, "PYTHONPATH": str(checkout), "PACT_DO_NOT_TRACK": "true"},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-3000:]
    (pact,) = pact_files(pacts)
    return pact.path


def variables(pact: Path, description: str) -> dict[str, Any]:
    interactions = json.loads(pact.read_text())["interactions"]
    (interaction,) = [item for item in interactions if item["description"] == description]
    return interaction["request"]["body"]["content"]["variables"]


@pytest.fixture
def renamed_checkout(tmp_path: Path) -> Path:
    """A copy of the code where the renewal reminder calls its date `renewalDate`."""
    checkout = tmp_path / "checkout"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "data", ".staging")
    for name in ("solo60", "consumers"):
        shutil.copytree(ROOT / name, checkout / name, ignore=ignore)
    for name in ("conftest.py", "pyproject.toml"):
        shutil.copy(ROOT / name, checkout / name)
    source = (checkout / MAILS).read_text()
    renamed = source.replace("renewsAt=day(renews_at)", "renewalDate=day(renews_at)")
    assert renamed.count("renewalDate") == 1, "the renewal reminder no longer sets renewsAt this way"
    (checkout / MAILS).write_text(renamed)
    return checkout


@pytest.mark.slow
def test_renaming_a_template_variable_in_the_consumers_code_changes_its_pact_and_fails_verification(
    renamed_checkout: Path, tmp_path: Path
) -> None:
    before = make_pact(ROOT, tmp_path / "before")
    after = make_pact(renamed_checkout, tmp_path / "after")
    environ = {**os.environ, "SOLO60_PROVIDER_STATES": "1", "SOLO60_DATA_DIR": str(tmp_path / "data")}
    with running_services(["communication"], environ=environ) as services:
        url = services["communication"].url
        unchanged = verify("communication", url, pacts=[before], quiet=True)
        changed = verify("communication", url, pacts=[after], quiet=True)

    assert set(variables(before, REMINDER)) == {"planName", "renewsAt"}
    assert set(variables(after, REMINDER)) == {"planName", "renewalDate"}
    assert variables(after, "a subscription-activated mail") == variables(before, "a subscription-activated mail")
    assert unchanged.ok, unchanged.describe_failures()
    assert not changed.ok
    (failed,) = changed.failures
    assert failed.description == REMINDER
    assert "expected 202" in failed.render()
    assert "actual 400" in failed.render()
