"""One Schemathesis engine run over a live target, counted per operation.

The engine runs the same phases as `st run` (examples, coverage, fuzzing, stateful over the
OpenAPI links and the links it infers) with the budget's configuration; every case is
attributed to its operation, stateful ones included, and every failure has already been
judged by the baseline through the schema's hook.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from schemathesis import engine
from schemathesis.cli.commands.run.warnings import (
    aggregate_status_codes,
    all_positive_are_rejected,
    any_positive_is_accepted,
)
from schemathesis.core.result import Ok
from schemathesis.engine import Status, events
from schemathesis.engine.run import UNIT_PHASES, PhaseName
from schemathesis.schemas import BaseSchema

from solo60.fuzz.baseline import Baseline, Finding, Tally
from solo60.fuzz.budget import Budget
from solo60.fuzz.live import FUZZ_CALLER, LiveTarget
from solo60.fuzz.pact_states import DEFAULT_PACTS_DIR
from solo60.fuzz.results import OperationResult, TargetResult, answer_class
from solo60.fuzz.schema import fuzz_schema
from solo60.fuzz.seeding import StateSeeder
from solo60.fuzz.targets import fuzz_target


class FuzzError(RuntimeError):
    """The run could not start: the target's document is unreachable or unusable."""


def run_target(
    live: LiveTarget, budget: Budget, baseline: Baseline, *, pacts_dir: Path = DEFAULT_PACTS_DIR
) -> TargetResult:
    """Fuzz one live target with the document it serves; never raises for what it finds.

    A target we own has each operation's provider states set up before it is fuzzed, the
    pacts' in `pacts_dir` or else those the provider lists (`seeding`).
    """
    started = time.perf_counter()
    tally = Tally(baseline)
    # One client reads the document and sets every provider state up (see `StateSeeder.attach`).
    with httpx.Client(timeout=10, headers=live.state_headers) as http:
        document = served_document(live, http)
        seeder = StateSeeder()
        if budget.provider_states:
            seeder.attach(live, document, pacts_dir, http=http)
        schema = fuzz_schema(live.target, budget, tally, live.auth, base_url=live.url, document=document, seeder=seeder)
        result = run_schema(schema, TargetResult(live.name, live.url, budget.seed, tally=tally))
    result.state_set_ups = seeder.set_ups
    result.seconds = time.perf_counter() - started
    return result


def run_schema(schema: BaseSchema, result: TargetResult) -> TargetResult:
    """Run the engine over a schema built by `fuzz_schema` (over HTTP or, with `schema.app`, in-process)."""
    tally = result.tally
    assert tally is not None, "the result carries the tally the schema's hook records into"
    started = time.perf_counter()
    for operation in schema.get_all_operations():
        if isinstance(operation, Ok):
            result.operation(operation.ok().label)
    for event in engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            _count_cases(result, event)
        elif isinstance(event, events.NonFatalError):
            message = _error_message(event)
            if event.label in result.operations:
                result.operation(event.label).errors.append(message)
            else:
                result.errors.append(f"{event.label}: {message}")
        elif isinstance(event, events.FatalError):
            result.errors.append(f"Schemathesis stopped: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            for failure in event.failures:
                label = failure.operation or "run"
                result.operation(label).new.append(
                    Finding(result.target, label, failure.code, failure.title, message=failure.message)
                )
    for operation in result.operations.values():
        operation.new.extend(tally.new_in(operation.label))
        operation.known.extend(tally.known_in(operation.label))
    for finding in tally.new.values():  # a failure on an operation the document does not list
        if finding.operation not in result.operations:
            result.operation(finding.operation).new.append(finding)
    result.seconds = time.perf_counter() - started
    return result


def run_targets(
    targets: Sequence[LiveTarget],
    budget: Budget,
    baseline: Baseline,
    *,
    workers: int = 1,
    pacts_dir: Path = DEFAULT_PACTS_DIR,
) -> list[TargetResult]:
    """Fuzz the targets, results in the order given; with `workers` > 1 in that many processes.

    Processes, not threads: the fuzzer is CPU-bound under one interpreter lock, and engines in
    threads tripped CPython 3.11's "AST constructor recursion depth mismatch". A second process
    pays off because some targets mostly wait (auth's scrypt takes 0.1 s a hash), so the other
    core fuzzes the next target meanwhile.
    """
    if workers <= 1 or len(targets) <= 1:
        return [run_target(target, budget, baseline, pacts_dir=pacts_dir) for target in targets]
    places = [(target.name, target.url, dict(target.auth), target.owned) for target in targets]
    context = multiprocessing.get_context("spawn")  # no fork: the parent runs server threads
    with ProcessPoolExecutor(max_workers=min(workers, len(targets)), mp_context=context) as pool:
        count = len(places)
        return list(pool.map(_run_in_worker, places, [budget] * count, [baseline] * count, [pacts_dir] * count))


def _run_in_worker(
    place: tuple[str, str, dict[str, Any], bool], budget: Budget, baseline: Baseline, pacts_dir: Path
) -> TargetResult:
    name, url, auth, owned = place
    live = LiveTarget(fuzz_target(name), url, auth, owned=owned)
    return run_target(live, budget, baseline, pacts_dir=pacts_dir)


def served_document(live: LiveTarget, http: httpx.Client | None = None) -> dict:
    """The document the live target serves: what it promises now, not what this checkout says."""
    url = f"{live.url}{live.target.openapi_path}"
    try:
        if http is None:
            response = httpx.get(url, timeout=10, headers={"x-service-name": FUZZ_CALLER})
        else:
            response = http.get(url, headers={"x-service-name": FUZZ_CALLER})
        response.raise_for_status()
        document = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise FuzzError(f"{live.name}: cannot read its OpenAPI document at {url}: {error}") from None
    if not isinstance(document, dict) or "paths" not in document:
        raise FuzzError(f"{live.name}: {url} is not an OpenAPI document")
    return document


def _error_message(event: events.NonFatalError) -> str:
    """The error and, for a group (Hypothesis' flaky report), what its first member says."""
    message = f"{event.info.title}: {event.info.message}".strip()
    inner = getattr(event.value, "exceptions", None)
    if inner:
        first = str(inner[0]).strip().splitlines()
        message += f" First: {type(inner[0]).__name__}: {first[0] if first else ''}"
    return message


def _count_cases(result: TargetResult, event: events.ScenarioFinished) -> None:
    recorder = event.recorder
    nodes = recorder.cases.values()
    for node in nodes:
        operation = result.operation(node.value.operation.label)
        operation.cases += 1
        interaction = recorder.interactions.get(node.value.id)
        if interaction is not None and interaction.response is not None:
            kind = answer_class(interaction.response.status_code)
            if kind is not None:
                operation.answers[kind] += 1
    if event.phase == PhaseName.STATEFUL_TESTING:
        result.scenarios += sum(1 for node in nodes if node.parent_id is None)
    elif event.phase in UNIT_PHASES and event.label in result.operations:
        _note_missing_test_data(result.operation(event.label), event)


def _note_missing_test_data(operation: OperationResult, event: events.ScenarioFinished) -> None:
    """Schemathesis' own test for its "Missing test data" warning, as `st run` applies it."""
    if any_positive_is_accepted(event.recorder):
        operation.served = True
        operation.missing_test_data = False
    elif (
        not operation.served
        and event.status == Status.SUCCESS
        and all_positive_are_rejected(event.recorder)
        and aggregate_status_codes(event.recorder, positive_only=True).should_warn_about_missing_test_data()
    ):
        operation.missing_test_data = True
