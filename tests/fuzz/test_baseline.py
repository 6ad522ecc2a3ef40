"""The baseline: what it covers, what a reviewer must write in it, and that anything new fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from solo60.fuzz.baseline import PENDING_PREFIX, Baseline, BaselineEntry, BaselineError, Finding
from solo60.fuzz.budget import Budget
from solo60.fuzz.live import LiveTarget, service_auth
from solo60.fuzz.runner import run_target
from solo60.fuzz.targets import TARGET_NAMES, fuzz_target
from tests.fuzz.broken_app import OPERATION, running_broken_app

FINDING = Finding(
    target="session",
    operation="POST /internal/sessions",
    code="ST202",
    title="Schema-valid request rejected",
    status=400,
    error="VALIDATION_ERROR",
    fields=frozenset({"body.startsAt"}),
    answer='{"error": "VALIDATION_ERROR", "message": "Invalid request: body.startsAt: must be in the future"}',
)


def entry(**changes: Any) -> BaselineEntry:
    values: dict[str, Any] = {
        "target": "session",
        "operation": "POST /internal/sessions",
        "code": "ST202",
        "verdict": "accepted",
        "reason": "the clock is not in the document",
    }
    values.update(changes)
    return BaselineEntry.from_dict(values, 1)


def write(tmp_path: Path, entries: list[dict[str, Any]]) -> Path:
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps({"entries": entries}))
    return path


def test_the_reviewed_baseline_loads_and_every_entry_says_why() -> None:
    baseline = Baseline.load()
    assert baseline.entries
    for item in baseline.entries:
        assert item.reason.strip()
        assert "\n" not in item.reason
        assert item.target == "*" or item.target in TARGET_NAMES
        if item.verdict == "pending":
            assert item.reason.startswith(PENDING_PREFIX)
            assert " owner" in item.reason


def test_an_entry_that_names_a_phrase_of_the_answer_names_the_operation_and_status_too() -> None:
    """A phrase anywhere in the answer is broad; pinned to an operation and a status it means one refusal."""
    for item in Baseline.load().entries:
        if item.detail is not None:
            assert item.operation != "*", item.label
            assert item.status is not None, item.label


@pytest.mark.parametrize(
    ("changes", "covered"),
    [
        ({}, True),
        ({"target": "*", "operation": "*"}, True),
        ({"status": 400, "error": "VALIDATION_ERROR", "field": "body.startsAt", "detail": "in the future"}, True),
        ({"target": "gym"}, False),
        ({"operation": "POST /internal/sessions/conflicts"}, False),
        ({"code": "ST201"}, False),
        ({"status": 422}, False),
        ({"error": "CONFLICT"}, False),
        ({"field": "body.endsAt"}, False),
        ({"detail": "must fall between"}, False),
    ],
)
def test_an_entry_covers_a_finding_only_when_everything_it_names_matches(
    changes: dict[str, Any], covered: bool
) -> None:
    assert entry(**changes).covers(FINDING) is covered


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"reason": ""}, "non-empty string 'reason'"),
        ({"reason": "first line\nsecond line"}, "one line"),
        ({"verdict": "pending"}, "pending entry's reason starts with"),
        ({"verdict": "ignored"}, "expected 'accepted' or 'pending'"),
        ({"target": "billing"}, "unknown target 'billing'"),
        ({"code": "500"}, "Schemathesis code"),
        ({"status": 99}, "expected an HTTP status"),
        ({"check": "everything"}, "unknown keys ['check']"),
    ],
)
def test_an_entry_a_reviewer_could_not_approve_is_refused_naming_it(
    tmp_path: Path, changes: dict[str, Any], complaint: str
) -> None:
    good = {"target": "user", "operation": "*", "code": "ST202", "verdict": "accepted", "reason": "why"}
    path = write(tmp_path, [good, {**good, **changes}])
    with pytest.raises(BaselineError, match="baseline entry 2") as refused:
        Baseline.load(path)
    assert complaint in str(refused.value)


def test_a_pending_entry_names_its_owner(tmp_path: Path) -> None:
    pending = {"target": "user", "operation": "*", "code": "ST202", "verdict": "pending"}
    path = write(tmp_path, [{**pending, "reason": f"{PENDING_PREFIX}user owner: the rule is not in the document"}])
    assert Baseline.load(path).entries[0].verdict == "pending"


def test_a_new_finding_fails_the_run_and_says_how_to_reproduce_it() -> None:
    with running_broken_app() as url:
        result = run_target(broken(url), Budget(max_examples=3, seed=1), Baseline())
    assert not result.ok
    found = result.operations[OPERATION].new
    assert [finding.code for finding in found] == ["ST108"]
    assert found[0].status == 200
    assert found[0].reproduce.startswith("curl -X GET")
    assert "/internal/things/" in found[0].reproduce


def test_a_finding_the_baseline_covers_is_counted_not_failed(tmp_path: Path) -> None:
    covered = {"target": "*", "operation": OPERATION, "code": "ST108", "verdict": "accepted", "reason": "a test"}
    unrelated = {**covered, "operation": "GET /internal/other", "reason": "never met"}
    baseline = Baseline.load(write(tmp_path, [covered, unrelated]))
    with running_broken_app() as url:
        result = run_target(broken(url), Budget(max_examples=3, seed=1), baseline)
    assert result.ok, [(finding.code, finding.message) for finding in result.new]
    assert [finding.code for finding in result.operations[OPERATION].known] == ["ST108"]
    assert result.tally is not None
    assert [item.operation for item in result.tally.unused(["user"])] == ["GET /internal/other"]


def broken(url: str) -> LiveTarget:
    """The broken app, fuzzed the way a service is: the document it serves, the service key."""
    return LiveTarget(fuzz_target("user"), url, service_auth(), owned=False)
