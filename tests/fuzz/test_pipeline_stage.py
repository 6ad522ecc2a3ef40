"""The pipeline's fuzz stage: a small budget over running providers, and its say in the verdict."""

from __future__ import annotations

from solo60.fuzz.budget import Budget
from solo60.fuzz.live import LiveTargets
from solo60.fuzz.stage import fuzz_running_providers, stage_detail
from solo60.harness.pipeline import PipelineResult
from tests.fuzz.broken_app import OPERATION, running_broken_app


def test_every_operation_of_each_running_provider_gets_cases(services: LiveTargets) -> None:
    urls = {name: services[name].url for name in ("user", "gym")}
    results = fuzz_running_providers(urls)
    assert [result.target for result in results] == ["user", "gym"]
    for result in results:
        assert result.ok, (result.errors, [(op.label, op.errors) for op in result.operations.values()])
        assert result.operations
        assert all(operation.cases >= 1 for operation in result.operations.values())
    assert stage_detail(results).endswith("0 new findings")


def test_a_new_finding_in_the_fuzz_stage_fails_the_pipeline() -> None:
    with running_broken_app() as url:
        # More than the pipeline's one generated case: the defect shows only in a 200, not in a 400.
        results = fuzz_running_providers({"user": url}, Budget(max_examples=5, seed=1, coverage=False, stateful=False))
    assert [finding.code for finding in results[0].operations[OPERATION].new] == ["ST108"]
    assert "1 new findings" in stage_detail(results)
    verdict = PipelineResult(fuzz=results)
    assert not verdict.ok
