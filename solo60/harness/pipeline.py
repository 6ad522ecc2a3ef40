"""The whole contract loop in one command: every pact made, compared, published, verified and judged.

On embedded defaults it needs nothing running: a temporary SQLite broker (given the target
environment, as whoever runs a broker would create it) and the services on free ports. With a
`BrokerAccess` it uses that broker (ours or the official one) instead, whose target
environment must already exist. Each stage calls the step it is named after: `made/`,
`compared/` (every pact against its provider's generated OpenAPI document, before any provider
starts, so a mismatch shows in about a second), `published/`, `verified/`, `judged/`.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from solo60.harness.broker_access import BrokerAccess, BrokerError
from solo60.harness.compared.static_check import PactComparison, StaticCheckError, compare_pacts, summary
from solo60.harness.judged.environments import UnknownEnvironment, create_environment, environment_named
from solo60.harness.judged.release_gate import ReleaseVerdict, release_gate
from solo60.harness.made.pact_files import PactFile, pact_files
from solo60.harness.made.suites import run_consumer_suites
from solo60.harness.published.publish import PublishOptions, PublishRefused, publish_pacts
from solo60.harness.scratch import scratch_root
from solo60.harness.verified.verification import BrokerSource, ResultsPublication, VerificationReport, verify
from solo60.harness.versions import resolve_revision
from solo60.services import SERVICE_NAMES

if TYPE_CHECKING:
    from solo60.fuzz.results import TargetResult

REPOSITORY = Path(__file__).resolve().parents[2]


class PipelineError(RuntimeError):
    """A stage could not run at all (as opposed to finding a broken contract)."""


@dataclass
class PipelineOptions:
    broker: BrokerAccess | None = None
    """An external broker; None starts an embedded one."""
    pacts_dir: Path = REPOSITORY / "pacts"
    version: str | None = None
    branch: str | None = None
    environment: str = "production"
    console: Console = field(default_factory=lambda: Console(stderr=True))


@dataclass
class StageResult:
    kind: str
    label: str
    seconds: float = 0.0
    ok: bool = True
    detail: str = ""


@dataclass
class PipelineResult:
    version: str = ""
    branch: str = ""
    stages: list[StageResult] = field(default_factory=list)
    pacts: list[PactFile] = field(default_factory=list)
    comparisons: list[PactComparison] = field(default_factory=list)
    reports: list[VerificationReport] = field(default_factory=list)
    release: ReleaseVerdict | None = None
    fuzz: list[TargetResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            bool(self.pacts)
            and all(stage.ok for stage in self.stages)
            and all(comparison.ok for comparison in self.comparisons)
            and all(report.ok for report in self.reports)
            and all(result.ok for result in self.fuzz)
            and self.release is not None
            and self.release.deployable
        )

    def seconds(self, kind: str) -> float:
        """Wall time of every stage of this kind (all `verify` stages together, say)."""
        return sum(stage.seconds for stage in self.stages if stage.kind == kind)


def run_pipeline(options: PipelineOptions) -> PipelineResult:
    """Run every stage; a stage that cannot run stops the pipeline, a broken contract does not."""
    result = PipelineResult()
    console = options.console
    with ExitStack() as resources:
        stage = _Stages(result, console)
        # The broker first: refused credentials or an unknown environment stop the run before any work.
        with stage("broker"):
            access = options.broker or BrokerAccess(resources.enter_context(_embedded_broker()))
            broker = resources.enter_context(access.client())
            if options.broker is None:
                create_environment(broker, options.environment, production=options.environment == "production")
                stage.detail(f"embedded SQLite broker at {access.url}")
            else:
                environment_named(broker, options.environment)  # judging never creates it: fail now, not last
                stage.detail(access.described)
        with stage("consumer pacts"):
            result.pacts = make_pacts(options.pacts_dir)
            stage.detail(f"{len(result.pacts)} pacts, {sum(p.interactions for p in result.pacts)} interactions")
        with stage("compare", label="compare with OpenAPI"):
            try:
                result.comparisons = compare_pacts(result.pacts)
            except StaticCheckError as error:
                raise PipelineError(f"the static comparison could not run: {error}") from error
            stage.detail(summary(result.comparisons), ok=all(comparison.ok for comparison in result.comparisons))
        revision = resolve_revision(options.version, options.branch, pacts=(pact.path for pact in result.pacts))
        result.version, result.branch = revision.version, revision.branch
        with stage("publish"):
            publish_pacts(broker, result.pacts, PublishOptions(revision))
            stage.detail(f"{len(result.pacts)} pacts as version {result.version[:12]} on {result.branch}")
        providers = sorted({pact.provider for pact in result.pacts})
        with stage("start providers"):
            services = resources.enter_context(_providers(providers))
            stage.detail(", ".join(providers))
        for provider in providers:
            with stage("verify", label=f"verify {provider}"):
                report = verify(
                    provider,
                    services[provider],
                    broker=BrokerSource(
                        access,
                        provider_branch=result.branch,
                        include_wip_since=(datetime.now(UTC) - timedelta(days=30)).date().isoformat(),
                    ),
                    publish=ResultsPublication(revision),
                    quiet=True,
                )
                result.reports.append(report)
                verified = sum(item.ok for item in report.interactions)
                stage.detail(f"{verified}/{len(report.interactions)} interactions", ok=report.ok)
        with stage("fuzz"):
            result.fuzz, detail = _fuzz(services, options.pacts_dir)
            stage.detail(detail, ok=all(target.ok for target in result.fuzz))
        with stage("can-i-deploy"):
            pacticipants = [
                name for name in SERVICE_NAMES if any(name in (p.consumer, p.provider) for p in result.pacts)
            ]
            result.release = release_gate(broker, pacticipants, result.version, options.environment)
            deployable = sum(item.deployable for item in result.release.pacticipants)
            stage.detail(
                f"{deployable}/{len(pacticipants)} deployable to {options.environment}", ok=result.release.deployable
            )
    return result


def make_pacts(pacts_dir: Path) -> list[PactFile]:
    """Run every consumer suite (`pytest consumers/`) into a clean pacts directory."""
    consumers = REPOSITORY / "consumers"
    if not consumers.is_dir():
        raise PipelineError(f"no consumer suites at {consumers}: run the pipeline from the repository checkout")
    pacts_dir.mkdir(parents=True, exist_ok=True)
    for stale in pacts_dir.glob("*.json"):
        stale.unlink()
    run = run_consumer_suites(REPOSITORY, pacts_dir, scratch=scratch_root())
    if not run.ok:
        tail = "\n".join(run.output.splitlines()[-30:])
        raise PipelineError(f"the consumer suites failed, so no pact was published:\n{tail}")
    found = pact_files(pacts_dir)
    if not found:
        raise PipelineError(f"the consumer suites passed but wrote no pact to {pacts_dir}")
    return found


class _Stages:
    """Times each stage, shows progress while it runs and records how it ended."""

    def __init__(self, result: PipelineResult, console: Console) -> None:
        self.result = result
        self.console = console
        self._current: StageResult | None = None

    @contextmanager
    def __call__(self, kind: str, *, label: str | None = None) -> Iterator[None]:
        stage = StageResult(kind, label or kind)
        self._current = stage
        started = time.perf_counter()
        try:
            with self.console.status(f"[bold]{stage.label}[/bold]…"):
                yield
        except (BrokerError, PipelineError, PublishRefused, UnknownEnvironment) as error:
            stage.ok = False
            stage.detail = str(error)
            raise
        finally:
            stage.seconds = time.perf_counter() - started
            self.result.stages.append(stage)
            mark = "[green]✓[/green]" if stage.ok else "[red]✗[/red]"
            self.console.print(f"{mark} {stage.label} [dim]({stage.seconds:.1f} s)[/dim] {stage.detail}")

    def detail(self, text: str, *, ok: bool = True) -> None:
        assert self._current is not None
        self._current.detail = text
        self._current.ok = ok


def _fuzz(services: dict[str, str], pacts_dir: Path) -> tuple[list[TargetResult], str]:
    """A small Schemathesis budget over the providers already running, every check on, seeded from the pacts."""
    from solo60.fuzz.baseline import BaselineError
    from solo60.fuzz.live import SeedError
    from solo60.fuzz.runner import FuzzError
    from solo60.fuzz.stage import fuzz_running_providers, stage_detail

    try:
        results = fuzz_running_providers(services, pacts_dir=pacts_dir)
    except (FuzzError, SeedError, BaselineError) as error:
        raise PipelineError(f"the fuzz stage could not run: {error}") from error
    return results, stage_detail(results)


@contextmanager
def _embedded_broker() -> Iterator[str]:
    from broker.testing import running_broker

    with running_broker() as url:
        yield url


@contextmanager
def _providers(names: list[str]) -> Iterator[dict[str, str]]:
    from solo60.services.kit.server import running_services

    with tempfile.TemporaryDirectory(prefix="solo60-pipeline-", dir=scratch_root()) as data_dir:
        environ = {
            **os.environ,
            "SOLO60_PROVIDER_STATES": "1",
            "SOLO60_DATA_DIR": data_dir,
            "SOLO60_RATE_LIMIT": "1000000/minute",
        }
        # Warnings the providers log while verified and fuzzed (the local mail sink, the outbox giving
        # up on a pact's example ids, uvicorn's for each malformed case) say nothing about the
        # contracts; the pipeline's output is its verdict.
        services_log = logging.getLogger("solo60.services")
        level = services_log.level
        services_log.setLevel(logging.ERROR)
        try:
            with running_services(names, environ=environ, log_level="error") as services:
                yield {name: service.url for name, service in services.items()}
        finally:
            services_log.setLevel(level)
