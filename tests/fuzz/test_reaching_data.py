"""Fuzzing reaches the logic behind a lookup: operations that met only 404s now find their data.

Before provider states were set up per operation, Schemathesis warned "Missing test data" for
these: every valid case named a token or session that did not exist.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from solo60.environment import DEVELOPMENT_API_KEY
from solo60.fuzz.baseline import Baseline
from solo60.fuzz.budget import CI_SEED, Budget
from solo60.fuzz.live import LiveTargets
from solo60.fuzz.report import REACHED_GOAL
from solo60.fuzz.results import TargetResult
from solo60.fuzz.runner import run_targets

ONCE_NOT_FOUND = {
    "auth": ("POST /internal/auth/password-reset/confirm", "POST /internal/auth/verify-email"),
    "session": (
        "GET /internal/sessions/{sessionId}",
        "POST /internal/sessions/{sessionId}/approve",
        "POST /internal/sessions/{sessionId}/reject",
        "POST /internal/sessions/{sessionId}/cancel",
        "POST /internal/sessions/{sessionId}/guests",
        "POST /internal/sessions/{sessionId}/waiting-list",
    ),
}


@pytest.fixture(scope="module")
def results(services: LiveTargets) -> dict[str, TargetResult]:
    budget = Budget(max_examples=8, seed=CI_SEED)
    ran = run_targets([services[name] for name in ONCE_NOT_FOUND], budget, Baseline.load())
    return {result.target: result for result in ran}


@pytest.mark.parametrize(
    ("target", "label"), [(target, label) for target, labels in ONCE_NOT_FOUND.items() for label in labels]
)
def test_the_operation_finds_its_data(results: dict[str, TargetResult], target: str, label: str) -> None:
    result = results[target]
    operation = result.operations[label]
    counts = operation.counts()
    assert operation.reached >= REACHED_GOAL, counts
    assert not operation.missing_test_data, f"Schemathesis would warn of missing test data: {counts}"
    assert operation.answers["2xx"] >= 1, f"no case got past the lookup: {counts}"
    assert operation.ok, [(finding.code, finding.answer[:200]) for finding in operation.new] + operation.errors


def test_no_operation_of_the_run_lacks_test_data(results: dict[str, TargetResult]) -> None:
    for result in results.values():
        assert result.state_set_ups > 0
        assert not result.errors, result.errors
        missing = [label for label, operation in result.operations.items() if operation.missing_test_data]
        assert not missing, f"{result.target}: {missing}"
        shares = {label: f"{operation.reached:.0%}" for label, operation in result.operations.items()}
        assert all(operation.reached >= REACHED_GOAL for operation in result.operations.values()), shares


def test_the_states_a_pact_names_are_set_up_with_its_params(services: LiveTargets, tmp_path: Path) -> None:
    pact = {
        "consumer": {"name": "session"},
        "provider": {"name": "gym"},
        "interactions": [
            {
                "description": "a gym the pact names",
                "providerStates": [{"name": "a gym exists", "params": {"gymId": "gym-from-pact"}}],
                "request": {"method": "GET", "path": "/internal/gyms/gym-from-pact"},
                "response": {"status": 200},
            }
        ],
    }
    (tmp_path / "session-gym.json").write_text(json.dumps(pact))
    gym = services["gym"]

    [result] = run_targets(
        [gym], Budget(max_examples=2, seed=CI_SEED, coverage=False, stateful=False), Baseline.load(), pacts_dir=tmp_path
    )

    assert result.ok, result.errors
    assert result.state_set_ups >= 1
    found = httpx.get(f"{gym.url}/internal/gyms/gym-from-pact", headers={"x-api-key": DEVELOPMENT_API_KEY})
    assert found.status_code == 200, found.text
