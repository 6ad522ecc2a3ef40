"""Targets fuzzed in worker processes are reported like targets fuzzed in this one."""

from __future__ import annotations

from solo60.fuzz.baseline import Baseline
from solo60.fuzz.budget import Budget
from solo60.fuzz.live import LiveTarget, service_auth
from solo60.fuzz.runner import run_targets
from solo60.fuzz.targets import fuzz_target
from tests.fuzz.broken_app import OPERATION, running_broken_app


def test_worker_processes_report_each_target_in_the_order_given() -> None:
    budget = Budget(max_examples=3, seed=1, coverage=False, stateful=False)
    with running_broken_app() as url:
        targets = [LiveTarget(fuzz_target(name), url, service_auth()) for name in ("gym", "user")]
        results = run_targets(targets, budget, Baseline(), workers=2)
    assert [result.target for result in results] == ["gym", "user"]
    for result in results:
        assert [finding.code for finding in result.operations[OPERATION].new] == ["ST108"]
        assert result.tally is not None
        assert list(result.tally.new.values()) == result.new
