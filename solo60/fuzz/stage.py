"""The pipeline's fuzz stage: a small budget over the providers the pipeline already started."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from solo60.fuzz.baseline import Baseline
from solo60.fuzz.budget import PIPELINE_BUDGET, Budget
from solo60.fuzz.live import live_targets
from solo60.fuzz.pact_states import DEFAULT_PACTS_DIR
from solo60.fuzz.results import TargetResult
from solo60.fuzz.runner import run_targets


def fuzz_running_providers(
    urls: Mapping[str, str], budget: Budget = PIPELINE_BUDGET, *, pacts_dir: Path = DEFAULT_PACTS_DIR
) -> list[TargetResult]:
    """Fuzz each provider at its URL; they run for contract verification, so their data may be seeded.

    Each operation's provider states (the pacts' in `pacts_dir`, the ones just verified) are
    set up before it is fuzzed.
    """
    with live_targets(list(urls), urls=urls, owned=True) as live:
        return run_targets(list(live), budget, Baseline.load(), pacts_dir=pacts_dir)


def stage_detail(results: list[TargetResult]) -> str:
    operations = sum(len(result.operations) for result in results)
    cases = sum(result.cases for result in results)
    new = sum(len(result.new) + len(result.errors) for result in results)
    return f"{len(results)} providers, {operations} operations, {cases} cases, {new} new findings"
