"""Fuzzing throughput per service: in-process and over HTTP, against Schemathesis generating cases alone.

Starts the seven services under uvicorn (free ports, seeded as `solo60 fuzz` seeds them) and
then, per service, measures in the same run:

- generation only: Schemathesis drawing the fuzzing phase's cases (positive and negative,
  alternately) for every operation without sending them: the ceiling for the other two;
- in-process: the engine's fuzzing phase, every check on, against the service's ASGI app
  called inside this process (its upstream calls go to the live services);
- HTTP: the same against the live service over 127.0.0.1, as `solo60 fuzz` runs it: each
  operation's provider states set up before it is fuzzed and their values in its cases;
- HTTP without states: the same with provider states off, to show what seeding costs.

First, all seven over HTTP as `solo60 fuzz` runs them (the services in a child process, one
fuzzing process per CPU): the goal is every operation x 100 examples across the seven
services in <= 60 s; measured with provider states and without, in the same run, so a
busy machine slows both alike. Seeding should keep >= 80 % of the cases per second.

    python benchmarks/fuzz_throughput.py [--examples 100] [--seed 1]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass, replace
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table
from schemathesis.core.result import Ok
from schemathesis.generation.modes import GenerationMode

from solo60.environment import service_url_variable
from solo60.fuzz.baseline import Baseline, Tally
from solo60.fuzz.budget import Budget
from solo60.fuzz.live import LiveTarget, LiveTargets, live_targets, service_auth, service_environment
from solo60.fuzz.report import findings_text
from solo60.fuzz.results import TargetResult
from solo60.fuzz.runner import run_schema, run_target, run_targets
from solo60.fuzz.schema import fuzz_schema
from solo60.fuzz.targets import DEFAULT_WORKERS
from solo60.services import SERVICE_NAMES, definition
from solo60.services.kit.app import build_app
from solo60.services.kit.settings import ServiceSettings

GOAL_SECONDS = 60.0
STATES_GOAL = 0.8


@dataclass
class Measured:
    service: str
    operations: int
    generated_per_second: float
    in_process: TargetResult
    http: TargetResult
    http_without_states: TargetResult


def generation_rate(live: LiveTarget, budget: Budget) -> tuple[int, float]:
    """Cases per second Schemathesis draws for the fuzzing phase, nothing sent."""
    schema = fuzz_schema(live.target, budget, Tally(Baseline()), live.auth)
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    drawn = 0
    started = time.perf_counter()
    for operation in operations:
        strategy = st.one_of(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        )

        @settings(
            max_examples=budget.max_examples,
            phases=[Phase.generate],
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(strategy)
        def draw(_case: Any) -> None:
            nonlocal drawn
            drawn += 1

        draw()
    return len(operations), drawn / (time.perf_counter() - started)


def in_process(live: LiveTarget, services: LiveTargets, budget: Budget, data_dir: str) -> TargetResult:
    """The fuzzing phase against the service's app in this process, its upstreams the live services."""
    environ = service_environment(data_dir)
    environ.pop("SERVICE_API_KEYS", None)
    environ.update({service_url_variable(other.name): other.url for other in services})
    app = build_app(definition(live.name), ServiceSettings.from_env(live.name, environ))
    tally = Tally(Baseline.load())
    schema = fuzz_schema(live.target, budget, tally, service_auth())
    schema.app = app
    return run_schema(schema, TargetResult(live.name, "in-process", budget.seed, tally=tally))


@dataclass
class Together:
    """All seven over HTTP as `solo60 fuzz` runs them, with or without provider states."""

    results: list[TargetResult]
    wall: float

    @property
    def cases(self) -> int:
        return sum(result.cases for result in self.results)

    @property
    def rate(self) -> float:
        return self.cases / self.wall if self.wall else 0.0


def measure(examples: int, seed: int) -> tuple[list[Measured], Together, Together]:
    budget = Budget(max_examples=examples, seed=seed, coverage=False, stateful=False, examples=False)
    without = replace(budget, provider_states=False)
    baseline = Baseline.load()
    measured = []
    with live_targets(SERVICE_NAMES) as services, tempfile.TemporaryDirectory(prefix="solo60-bench-") as data:
        # The whole runs first: the in-process apps keep their background workers running afterwards.
        together = {}
        for name, chosen in (("without", without), ("with", budget)):
            started = time.perf_counter()
            results = run_targets(list(services), chosen, baseline, workers=DEFAULT_WORKERS)
            together[name] = Together(results, time.perf_counter() - started)
        for live in services:
            operations, generated = generation_rate(live, budget)
            http_without = run_target(live, without, baseline)
            http = run_target(live, budget, baseline)
            local = in_process(live, services, budget, data)
            measured.append(Measured(live.name, operations, generated, local, http, http_without))
    return measured, together["with"], together["without"]


def rate(result: TargetResult) -> float:
    return result.cases / result.seconds if result.seconds else 0.0


def report(console: Console, examples: int, measured: list[Measured], together: Together, without: Together) -> None:
    table = Table(title=f"Fuzzing phase, every check on, {examples} examples per operation: cases per second")
    columns = ("service", "ops", "generate/s", "in-process/s", "HTTP/s", "no states/s", "HTTP cases", "HTTP s")
    for column in columns:
        table.add_column(column, justify="left" if column == "service" else "right")
    for item in measured:
        table.add_row(
            item.service,
            str(item.operations),
            f"{item.generated_per_second:.0f}",
            f"{rate(item.in_process):.0f}",
            f"{rate(item.http):.0f}",
            f"{rate(item.http_without_states):.0f}",
            str(item.http.cases),
            f"{item.http.seconds:.1f}",
        )
    cases = sum(item.http.cases for item in measured)
    seconds = sum(item.http.seconds for item in measured)
    cases_without = sum(item.http_without_states.cases for item in measured)
    seconds_without = sum(item.http_without_states.seconds for item in measured)
    table.add_row(
        "sum of the rows",
        str(sum(item.operations for item in measured)),
        "",
        f"{sum(item.in_process.cases for item in measured) / sum(item.in_process.seconds for item in measured):.0f}",
        f"{cases / seconds:.0f}",
        f"{cases_without / seconds_without:.0f}",
        str(cases),
        f"{seconds:.1f}",
        style="bold",
    )
    table.add_row(
        "solo60 fuzz, all seven",
        "",
        "",
        "",
        f"{together.rate:.0f}",
        f"{without.rate:.0f}",
        str(together.cases),
        f"{together.wall:.1f}",
    )
    console.print(table)
    findings = sum(len(result.new) for result in together.results)
    if findings:
        console.print(findings_text(together.results))
    verdict = "[green]met[/green]" if together.wall <= GOAL_SECONDS else "[red]missed[/red]"
    console.print(
        f"goal: every operation x {examples} examples across the seven services in <= {GOAL_SECONDS:.0f} s: "
        f"{verdict} ({together.wall:.1f} s; the rows, measured one by one, add up to {seconds:.1f} s); "
        f"new findings: {findings}"
    )
    share = together.rate / without.rate if without.rate else 0.0
    kept = "[green]met[/green]" if share >= STATES_GOAL else "[red]missed[/red]"
    console.print(
        f"goal: with provider states, >= {STATES_GOAL:.0%} of the cases per second without: {kept} "
        f"(all seven: {together.cases} cases in {together.wall:.1f} s = {together.rate:.2f}/s with, "
        f"{without.cases} cases in {without.wall:.1f} s = {without.rate:.2f}/s without = {share:.0%}; "
        f"the rows: {cases / seconds:.2f}/s with, {cases_without / seconds_without:.2f}/s without)"
    )


def main() -> None:  # run as a script only: worker processes re-import this module
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100, help="examples per operation (default 100)")
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    console = Console()
    with console.status("starting the services and fuzzing…"):
        measured, together, without = measure(arguments.examples, arguments.seed)
    report(console, arguments.examples, measured, together, without)


if __name__ == "__main__":
    main()
