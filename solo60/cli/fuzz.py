"""`solo60 fuzz`: every operation of live services (and the broker) under Schemathesis, all checks on.

    solo60 fuzz                                  # the seven services, started on free ports
    solo60 fuzz user payment --max-examples 50 --seed 7
    solo60 fuzz broker --report junit            # reports/fuzz-junit.xml
    solo60 fuzz --report json                    # reports/fuzz.json: each operation's answers
    solo60 fuzz user --url user=http://127.0.0.1:8101
    solo60 fuzz user --publish-provider-contract --broker-url URL --provider-version V --branch main

A table shows each operation's cases, their answers (2xx, 404, other 4xx, 5xx) and the share
that got past a 404, the findings the baseline covers and new failures; the exit code is 1
when anything new was found, 2 when the arguments are wrong. Before an operation is fuzzed,
the provider states the pacts in ./pacts use for it (else those its provider lists) are set
up on the services started here, and the values they create go into its cases.

With `--publish-provider-contract` the one provider fuzzed then publishes the OpenAPI document
it served, and was fuzzed against, to the broker as its provider contract, with the run as
self-verification results (verifier `schemathesis`, success when nothing new was found). The
broker compares it with the consumers' pacts, and can-i-deploy counts a compatible pact as
verified by that provider version without the provider replaying it.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperCommand

from solo60.cli.harness import BrokerPassword, BrokerToken, BrokerUrl, BrokerUsername, broker_access
from solo60.fuzz.targets import DEFAULT_WORKERS, TARGET_NAMES
from solo60.harness.broker_access import BrokerAccess
from solo60.harness.published.provider_contract import ProviderContractOptions
from solo60.services import SERVICE_NAMES

console = Console(stderr=True)
out = Console()

DEFAULT_MAX_EXAMPLES = 20
REPORT_FORMATS = ("junit", "json")


class _OneLineErrors(TyperCommand):
    """Bad arguments get one line and exit code 2, not a usage panel."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except Exception as error:
            if getattr(error, "exit_code", None) == 2 and hasattr(error, "format_message"):
                _fail(error.format_message())
            raise


def _fail(message: str, code: int = 2) -> None:
    console.print(f"[red]error:[/red] {message}", soft_wrap=True)
    raise typer.Exit(code=code)


def fuzz(
    targets: Annotated[
        list[str] | None,
        typer.Argument(help=f"Targets: {', '.join(TARGET_NAMES)} (default: the seven services).", show_default=False),
    ] = None,
    max_examples: Annotated[
        int, typer.Option("--max-examples", "-n", help="Generated examples per operation in the fuzzing phase.")
    ] = DEFAULT_MAX_EXAMPLES,
    seed: Annotated[int | None, typer.Option("--seed", help="Repeat an earlier run exactly (default: random).")] = None,
    report: Annotated[
        str | None, typer.Option("--report", help="Write a report: junit (fuzz-junit.xml) or json (fuzz.json).")
    ] = None,
    report_dir: Annotated[Path, typer.Option("--report-dir", help="Where --report writes.")] = Path("reports"),
    url: Annotated[
        list[str],
        typer.Option(
            "--url",
            help="NAME=URL of a running target, fuzzed as it is; repeatable. Services get the first key in "
            "$SERVICE_API_KEYS (else the development key), the broker $PACT_BROKER_USERNAME/PASSWORD.",
        ),
    ] = [],  # noqa: B006
    workers: Annotated[
        int,
        typer.Option(
            "--workers", "-w", help="Targets fuzzed at once, each in its own process (default: one per CPU, at most 4)."
        ),
    ] = DEFAULT_WORKERS,
    stateful: Annotated[
        bool, typer.Option("--stateful/--no-stateful", help="Run scenarios over the OpenAPI links.")
    ] = True,
    baseline_path: Annotated[
        Path | None, typer.Option("--baseline", help="Accepted and pending findings (default: the packaged one).")
    ] = None,
    publish_provider_contract: Annotated[
        bool,
        typer.Option(
            "--publish-provider-contract",
            help="Then publish the provider's OpenAPI document to the broker as its provider contract, this run "
            "as self-verification (one service only).",
        ),
    ] = False,
    broker_url: BrokerUrl = None,
    broker_username: BrokerUsername = None,
    broker_password: BrokerPassword = None,
    broker_token: BrokerToken = None,
    provider_version: Annotated[
        str | None, typer.Option("--provider-version", help="With --publish-provider-contract (default: git SHA).")
    ] = None,
    branch: Annotated[
        str | None, typer.Option("--branch", help="With --publish-provider-contract (default: the git branch).")
    ] = None,
    tag: Annotated[
        list[str], typer.Option("--tag", help="With --publish-provider-contract: tag the version; repeatable.")
    ] = [],  # noqa: B006
    build_url: Annotated[str | None, typer.Option("--build-url", help="With --publish-provider-contract.")] = None,
) -> None:
    """Fuzz live services and the broker with Schemathesis: every operation, every check, stateful links."""
    chosen = _targets(targets or [], url)
    urls = _urls(url, chosen)
    if max_examples < 1:
        _fail(f"--max-examples must be at least 1, not {max_examples}")
    if not 1 <= workers <= 64:
        _fail(f"--workers must be between 1 and 64, not {workers}")
    if seed is not None and not 0 <= seed < 2**32:
        _fail(f"--seed must be between 0 and {2**32 - 1}, not {seed}")
    if report is not None and report not in REPORT_FORMATS:
        _fail(f"--report takes {', '.join(REPORT_FORMATS)}, not {report!r}")
    publication = None
    if publish_provider_contract:
        if len(chosen) != 1 or chosen[0] not in SERVICE_NAMES:
            _fail("--publish-provider-contract publishes one provider's contract: name exactly one service to fuzz")
        publication = _publication(
            broker_access(broker_url, broker_username, broker_password, broker_token),
            provider_version,
            branch,
            tag,
            build_url,
        )
    else:
        publish_only = {
            "--broker-url": broker_url,
            "--broker-username": broker_username,
            "--broker-password": broker_password,
            "--broker-token": broker_token,
            "--provider-version": provider_version,
            "--branch": branch,
            "--tag": tag,
            "--build-url": build_url,
        }
        given = [flag for flag, value in publish_only.items() if value]
        if given:
            _fail(f"{given[0]} is for publishing the provider contract: add --publish-provider-contract")

    from solo60.fuzz.baseline import Baseline, BaselineError, unused_entries
    from solo60.fuzz.budget import Budget
    from solo60.fuzz.live import SeedError, live_targets
    from solo60.fuzz.report import findings_text, results_table, unused_text, write_json, write_junit
    from solo60.fuzz.runner import FuzzError, run_targets, served_document
    from solo60.services.kit.server import ServiceStartError

    try:
        baseline = Baseline.load(baseline_path) if baseline_path else Baseline.load()
    except BaselineError as error:
        _fail(str(error))
    budget = Budget(max_examples=max_examples, seed=seed, stateful=stateful).seeded()
    try:
        with ExitStack() as stack:
            with console.status("starting targets…"):
                live = stack.enter_context(live_targets(chosen, urls=urls))
            with console.status(f"fuzzing {', '.join(target.name for target in live)}…"):
                results = run_targets(list(live), budget, baseline, workers=workers)
            # The document the live provider served and was fuzzed against, read while it still runs.
            documents = {target.name: served_document(target) for target in live} if publication else {}
    except (ServiceStartError, SeedError, FuzzError) as error:
        _fail(str(error), code=1)
    out.print(results_table(results, title=f"Fuzzing (seed {budget.seed}, {max_examples} examples per operation)"))
    if report == "junit":
        path = write_junit(results, report_dir / "fuzz-junit.xml")
        out.print(f"JUnit report: {path}")
    elif report == "json":
        path = write_json(results, report_dir / "fuzz.json")
        out.print(f"JSON report: {path}")
    tallies = [result.tally for result in results if result.tally is not None]
    unused = unused_entries(baseline, tallies, [result.target for result in results])
    if unused:
        console.print(unused_text(unused))
    cases = sum(result.cases for result in results)
    scenarios = sum(result.scenarios for result in results)
    ran = f"{cases} cases ({scenarios} stateful scenarios); repeat with --seed {budget.seed}"
    ok = all(result.ok for result in results)
    if ok:
        out.print(f"[green]no new findings[/green] in {ran}")
    else:
        console.print(findings_text(results))
        out.print(f"[red]new findings[/red] in {ran}")
    if publication is not None:
        [provider] = chosen
        title = f"solo60 fuzz {provider} (seed {budget.seed}, {max_examples} examples per operation)"
        publication.publish(provider, documents[provider], results, title=title)
    if not ok:
        raise typer.Exit(code=1)


class _Publication:
    """Where and as what the fuzzed provider's contract goes: the broker, the version, branch and tags."""

    def __init__(self, access: BrokerAccess, options: ProviderContractOptions) -> None:
        self.access = access
        self.options = options

    def publish(self, provider: str, document: dict[str, Any], results: Sequence[Any], *, title: str) -> None:
        """Publish `document` with this run as its self-verification; success when nothing new was found."""
        from solo60.fuzz.report import report_text
        from solo60.harness.broker_access import BrokerError
        from solo60.harness.published.provider_contract import SelfVerification, notices, publish_provider_contract

        verification = SelfVerification(
            success=all(result.ok for result in results),
            report=report_text(results, title=title),
            verifier="schemathesis",
            verifier_version=version("schemathesis"),
        )
        try:
            with self.access.client() as client:
                answer = publish_provider_contract(client, provider, document, verification, self.options)
        except BrokerError as error:
            _fail(f"the provider contract was not published: {error}", code=1)
        for text in notices(answer):
            out.print(text, markup=False, highlight=False)
        outcome = "passed" if verification.success else "failed"
        out.print(
            f"published {provider}'s provider contract as {self.options.revision.version} on "
            f"{self.options.revision.branch} (self-verification {outcome}) to {self.access.described}",
            markup=False,
            highlight=False,
        )


def _publication(
    access: BrokerAccess | None, version_number: str | None, branch: str | None, tags: list[str], build_url: str | None
) -> _Publication:
    from solo60.harness.versions import resolve_revision

    assert access is not None
    options = ProviderContractOptions(resolve_revision(version_number, branch), tags=tags, build_url=build_url)
    return _Publication(access, options)


def _targets(given: Sequence[str], urls: Sequence[str]) -> list[str]:
    unknown = [name for name in given if name not in TARGET_NAMES]
    if unknown:
        _fail(f"unknown target {unknown[0]!r}; choose from {', '.join(TARGET_NAMES)}")
    if given:
        return list(dict.fromkeys(given))
    named_by_url = [item.partition("=")[0] for item in urls]
    if named_by_url and all(name in TARGET_NAMES for name in named_by_url):
        return list(dict.fromkeys(named_by_url))
    return list(SERVICE_NAMES)


def _urls(items: Sequence[str], chosen: Sequence[str]) -> dict[str, str]:
    urls: dict[str, str] = {}
    for item in items:
        name, separator, value = item.partition("=")
        if not separator or name not in TARGET_NAMES or not value.startswith(("http://", "https://")):
            _fail(f"--url takes NAME=URL with a target name and an http(s) URL, not {item!r}")
        if name not in chosen:
            _fail(f"--url names {name!r}, which is not among the targets {', '.join(chosen)}")
        urls[name] = value
    return urls


def register(app: typer.Typer) -> None:
    app.command("fuzz", cls=_OneLineErrors)(fuzz)
