"""The consumer suites' pytest plugin: stage each test's pact, then write the pairs a run made whole.

Registered by `consumers/conftest.py`. Every process that collects (the run, or each
pytest-xdist worker) records which tests belong to which pair before any deselection and
leaves that list in the run's staging folder; the controller, which sees every test's report,
writes `pacts/` for the pairs whose tests all ran and passed (`runs.py`), records every pair's
run in the manifest, and with `--publish` publishes what it wrote.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from solo60.harness.made.pact_files import PactFile, merge_staged, run_dir
from solo60.harness.made.runs import PairRun, RunManifest, RunTracker

RUN_VARIABLE = "SOLO60_PACT_RUN"
"""Names the run for the controller and its workers, so they stage into one folder."""


class PactRun:
    """One pytest run of consumer suites, seen from one process."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.tracker = RunTracker()
        self.controller = not hasattr(config, "workerinput")
        if self.controller:
            os.environ[RUN_VARIABLE] = uuid.uuid4().hex[:12]
        self.run = os.environ[RUN_VARIABLE]
        self.worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        self.pacts_dir = Path(config.getoption("--pacts-dir")).resolve()

    def staging(self) -> Path:
        """Where this process's tests write their pacts until the run ends."""
        return run_dir(self.pacts_dir, self.run) / self.worker

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_make_collect_report(self, collector: pytest.Collector) -> Generator[None, pytest.CollectReport, Any]:
        """Every test of a pair module, before any `-k`, `--lf` or node id chooses among them.

        Seen where each module (or class) is collected, since pytest reports a collector that
        a node id passes through only when it fails; and innermost (`trylast`), before `--lf`
        filters a module's tests out of the same report.
        """
        report = yield
        self.tracker.expanded(collector.nodeid)
        for node in report.result if report.passed else ():
            if not isinstance(node, pytest.Item | pytest.Class):
                continue  # a module's `module` would import it: pair modules are seen when collected
            module = getattr(node, "module", None)
            consumer, provider = getattr(module, "CONSUMER", None), getattr(module, "PROVIDER", None)
            if not (consumer and provider):
                continue
            if isinstance(node, pytest.Item):
                self.tracker.collected(node.nodeid, consumer, provider)
            else:
                self.tracker.collected_group(node.nodeid, consumer, provider)
        return report

    @pytest.hookimpl
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        directory = run_dir(self.pacts_dir, self.run)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"collected-{self.worker}.json").write_text(json.dumps(self.tracker.collected_tests()))

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.controller:  # under xdist the controller receives every worker's reports
            self.tracker.reported(report.nodeid, report.when, report.outcome)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if not self.controller:
            return
        for path in sorted(run_dir(self.pacts_dir, self.run).glob("collected-*.json")):
            self.tracker.add_collected(json.loads(path.read_text()))
        runs = self.tracker.runs()
        complete = {pair.file_name for pair in runs if pair.outcome == "complete"}
        written = {pact.path.name: pact for pact in merge_staged(self.pacts_dir, self.run, complete)}
        if runs:
            manifest = RunManifest.load(self.pacts_dir)
            for pair in runs:
                manifest.record(pair, written.get(pair.file_name))
            manifest.save()
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None and runs:
            self._report(reporter, runs, written)
        if written and self.config.getoption("--publish") and session.exitstatus == 0:
            self._publish(session, list(written.values()), reporter)

    def _report(self, reporter: Any, runs: list[PairRun], written: dict[str, PactFile]) -> None:
        reporter.line("")
        reporter.write_sep("-", f"pacts in {self.pacts_dir}")
        for pair in runs:
            pact = written.get(pair.file_name)
            if pact is not None:
                reporter.write_line(f"  {pact.pair}: {pact.interactions} interactions written ({pact.path.name})")
            else:
                reporter.write_line(
                    f"  {pair.pair}: not written, its run was {pair.outcome} ({pair.describe()}); "
                    f"{pair.file_name} is left as it was"
                )

    def _publish(self, session: pytest.Session, written: list[PactFile], reporter: Any) -> None:
        """`pytest consumers/ --publish`: publish what this run wrote; a refusal fails the run in one line."""
        from solo60.harness.broker_access import BrokerError
        from solo60.harness.published.publish import PublishOptions, PublishRefused, publish_pacts
        from solo60.harness.suite_options import broker_access
        from solo60.harness.versions import resolve_revision

        access = broker_access(self.config)
        assert access is not None  # checked when the run was configured
        revision = resolve_revision(
            self.config.getoption("--consumer-version"),
            self.config.getoption("--consumer-branch"),
            pacts=(pact.path for pact in written),
        )

        def say(line: str, **markup: bool) -> None:
            if reporter is not None:
                reporter.write_line(line, **markup)

        def published(pact: PactFile) -> None:
            say(f"  published {pact.pair} as {pact.consumer} {revision.version} ({revision.branch})")

        try:
            with access.client() as client:
                publish_pacts(client, written, PublishOptions(revision), published=published)
        except (BrokerError, PublishRefused) as error:
            say(f"error: {error}", red=True)
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def start(config: pytest.Config) -> PactRun:
    """Register the plugin for this run; with `--publish`, check the broker before any test runs."""
    os.environ.setdefault("PACT_DO_NOT_TRACK", "true")
    plugin = PactRun(config)
    config.pluginmanager.register(plugin, "solo60-pact-run")
    if plugin.controller and config.getoption("--publish"):
        from solo60.harness.suite_options import checked_broker_access

        checked_broker_access(config)  # refused credentials stop the run before any test
    return plugin
