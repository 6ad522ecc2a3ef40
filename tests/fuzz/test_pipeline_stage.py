"""The pipeline's fuzz stage: a small budget in a process of its own, and its say in the verdict."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from solo60.fuzz.baseline import Baseline
from solo60.fuzz.budget import Budget
from solo60.fuzz.live import live_targets
from solo60.fuzz.runner import run_targets
from solo60.fuzz.stage import FuzzStageError, fuzz_beside, stage_detail
from solo60.harness.pipeline import PipelineResult
from tests.fuzz.broken_app import OPERATION, running_broken_app

PACTS = Path(__file__).resolve().parents[2] / "pacts"


def test_each_provider_it_is_told_is_fuzzed_in_another_process() -> None:
    with fuzz_beside() as fuzzing:
        assert fuzzing.pid not in (None, os.getpid())
        fuzzing.begin(["user", "gym"], PACTS)
        results = fuzzing.results()
    assert [result.target for result in results] == ["user", "gym"]
    for result in results:
        assert result.ok, (result.errors, [(op.label, op.errors) for op in result.operations.values()])
        assert result.operations
        assert all(operation.cases >= 1 for operation in result.operations.values())
        # Its own providers: they were seeded from the pacts, so the lookups reached data.
        assert result.state_set_ups > 0
    assert stage_detail(results).endswith("0 new findings")


def test_a_provider_it_cannot_fuzz_is_refused_and_the_process_ends_with_the_block() -> None:
    with fuzz_beside() as fuzzing, pytest.raises(FuzzStageError, match="no such service to fuzz: nobody"):
        fuzzing.begin(["nobody"], PACTS)
    assert fuzzing.pid is not None
    with pytest.raises(ProcessLookupError):
        os.kill(fuzzing.pid, 0)


def test_a_fuzzing_process_that_died_is_an_error_not_a_hang() -> None:
    with fuzz_beside() as fuzzing:
        assert fuzzing.pid is not None
        os.kill(fuzzing.pid, signal.SIGKILL)  # at once: still importing, before it starts any provider
        fuzzing.begin(["user"], PACTS)
        with pytest.raises(FuzzStageError, match=r"ended without results \(exit code -9\)"):
            fuzzing.results(timeout=60)


def test_a_new_finding_in_the_fuzz_stage_fails_the_pipeline() -> None:
    with running_broken_app() as url, live_targets(["user"], urls={"user": url}, owned=True) as live:
        # More than the pipeline's one generated case: the defect shows only in a 200, not in a 400.
        budget = Budget(max_examples=5, seed=1, coverage=False, stateful=False)
        results = run_targets(list(live), budget, Baseline.load())
    assert [finding.code for finding in results[0].operations[OPERATION].new] == ["ST108"]
    assert "1 new findings" in stage_detail(results)
    verdict = PipelineResult(fuzz=results)
    assert not verdict.ok
