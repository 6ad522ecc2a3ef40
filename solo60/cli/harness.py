"""The contract loop's commands: publish, verify, can-i-deploy, record-deployment, pipeline.

They are thin over the broker's API (the official `pact broker` CLI works equally well
against the same broker) and over the harness in `solo60/harness/`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from solo60.services import SERVICE_NAMES

console = Console(stderr=True)
out = Console()

BrokerUrl = Annotated[
    str | None,
    typer.Option(
        "--broker-url", envvar="PACT_BROKER_BASE_URL", help="The Pact Broker (default: $PACT_BROKER_BASE_URL)."
    ),
]
PactsDir = Annotated[Path, typer.Option("--pacts-dir", help="Where the consumer suites write pacts.")]
DEFAULT_PACTS = Path("pacts")


def _fail(message: str, code: int = 2) -> None:
    console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code=code)


def _broker(url: str | None):  # type: ignore[no-untyped-def]
    from solo60.harness.broker_api import BrokerAPI, BrokerError

    try:
        return BrokerAPI.from_env(url)
    except BrokerError as error:
        _fail(str(error))


def publish(
    broker_url: BrokerUrl = None,
    pacts_dir: PactsDir = DEFAULT_PACTS,
    version: Annotated[str | None, typer.Option("--consumer-version", help="Default: the git SHA.")] = None,
    branch: Annotated[str | None, typer.Option("--branch", help="Default: the git branch.")] = None,
    tag: Annotated[list[str], typer.Option("--tag", help="Tag the consumer version; repeatable.")] = [],  # noqa: B006
    build_url: Annotated[str | None, typer.Option("--build-url")] = None,
) -> None:
    """Publish every pact in the pacts directory to the broker."""
    from solo60.harness.broker_api import BrokerError
    from solo60.harness.pact_files import pact_files
    from solo60.harness.versions import current_branch, current_version

    pacts = pact_files(pacts_dir) if pacts_dir.is_dir() else []
    if not pacts:
        _fail(f"no pacts in {pacts_dir}: run `pytest consumers/` first")
    chosen_version = version or current_version(pact.path for pact in pacts)
    chosen_branch = branch or current_branch()
    with _broker(broker_url) as broker:
        for pact in pacts:
            try:
                broker.publish(pact, version=chosen_version, branch=chosen_branch, tags=tag, build_url=build_url)
            except BrokerError as error:
                _fail(f"{pact.pair}: {error}", code=1)
            out.print(f"published {pact.pair} ({pact.interactions} interactions) as {pact.consumer} {chosen_version}")


def verify_command(
    providers: Annotated[
        list[str] | None, typer.Argument(help="Providers to verify (default: every provider with pacts).")
    ] = None,
    broker_url: BrokerUrl = None,
    pacts_dir: PactsDir = DEFAULT_PACTS,
    publish_results: Annotated[bool, typer.Option("--publish", help="Publish results to the broker.")] = False,
    provider_version: Annotated[str | None, typer.Option("--provider-version", help="Default: the git SHA.")] = None,
    branch: Annotated[str | None, typer.Option("--branch", help="Provider branch (default: git).")] = None,
    provider_url: Annotated[
        list[str], typer.Option("--provider-url", help="NAME=URL of an already running provider; repeatable.")
    ] = [],  # noqa: B006
    junit: Annotated[Path | None, typer.Option("--junit", help="Write one JUnit test case per interaction.")] = None,
) -> None:
    """Verify providers against their pacts (local directory, or the broker with selectors)."""
    from solo60.harness.junit import write_junit
    from solo60.harness.pact_files import pact_files
    from solo60.harness.report import failures_text, pairs_table
    from solo60.harness.verification import BrokerSource, PublishOptions, verify
    from solo60.harness.versions import current_branch, current_version
    from solo60.services.kit.server import ServiceStartError, running_services

    given_urls = {}
    for item in provider_url:
        name, separator, url = item.partition("=")
        if not separator or name not in SERVICE_NAMES or not url.startswith(("http://", "https://")):
            _fail(f"--provider-url takes NAME=URL with a known service and an http(s) URL, not {item!r}")
        given_urls[name] = url.rstrip("/")
    local = [] if broker_url else (pact_files(pacts_dir) if pacts_dir.is_dir() else [])
    chosen = providers or sorted({pact.provider for pact in local}) or ([] if not broker_url else list(SERVICE_NAMES))
    unknown = [name for name in chosen if name not in SERVICE_NAMES]
    if unknown:
        _fail(f"unknown provider {unknown[0]!r}; choose from {', '.join(SERVICE_NAMES)}")
    if not chosen:
        _fail(f"nothing to verify: no pacts in {pacts_dir} and no --broker-url")
    if publish_results and not broker_url:
        _fail("--publish needs --broker-url: results are published to a broker")
    chosen_branch = branch or current_branch()
    publish = PublishOptions(provider_version or current_version(), chosen_branch) if publish_results else None
    to_start = [name for name in chosen if name not in given_urls]
    environ = {**os.environ, "SOLO60_PROVIDER_STATES": "1", "SOLO60_RATE_LIMIT": "1000000/minute"}
    reports = []
    try:
        with running_services(to_start, environ=environ) as started:
            urls = {**{name: service.url for name, service in started.items()}, **given_urls}
            for name in chosen:
                with console.status(f"verifying {name}…"):
                    source = BrokerSource(url=broker_url, provider_branch=chosen_branch) if broker_url else None
                    files = [pact.path for pact in local if pact.provider == name]
                    if source is None and not files:
                        _fail(f"no pacts for {name} in {pacts_dir}")
                    reports.append(verify(name, urls[name], pacts=files, broker=source, publish=publish, quiet=True))
    except ServiceStartError as error:
        _fail(str(error), code=1)
    if junit is not None:
        write_junit(reports, junit)
    pacts = local or _pacts_from_reports(reports)
    out.print(pairs_table(pacts, reports))
    failed = [report for report in reports if not report.ok]
    if failed:
        console.print(failures_text(failed))
        raise typer.Exit(code=1)


def can_i_deploy(
    pacticipant: Annotated[list[str], typer.Option("--pacticipant", "-a", help="Repeatable, in order with --version.")],
    version: Annotated[list[str], typer.Option("--version", "-e", help="The version of each --pacticipant.")],
    to_environment: Annotated[str | None, typer.Option("--to-environment")] = None,
    ignore: Annotated[list[str], typer.Option("--ignore", help="A pacticipant to ignore; repeatable.")] = [],  # noqa: B006
    broker_url: BrokerUrl = None,
) -> None:
    """Ask the broker whether these versions can be deployed (exit 0 only on yes)."""
    from solo60.harness.broker_api import BrokerError, Selector
    from solo60.harness.report import verdict_table

    if len(version) != len(pacticipant):
        _fail("give one --version for each --pacticipant, in the same order")
    with _broker(broker_url) as broker:
        try:
            verdict = broker.can_i_deploy(
                [Selector(name, number) for name, number in zip(pacticipant, version, strict=True)],
                to_environment=to_environment,
                ignore=ignore,
            )
        except BrokerError as error:
            _fail(str(error), code=1)
    out.print(verdict_table(verdict))
    for notice in verdict.notices:
        out.print(f"{notice.get('type', 'info')}: {notice.get('text', '')}")
    if verdict.yes:
        out.print(f"[green]Computer says yes \\o/[/green] {verdict.reason}")
        return
    out.print(f"[red]Computer says no ¯\\_(ツ)_/¯[/red] {verdict.reason}")
    raise typer.Exit(code=1)


def record_deployment(
    pacticipant: Annotated[str, typer.Option("--pacticipant", "-a")],
    version: Annotated[str, typer.Option("--version", "-e")],
    environment: Annotated[str, typer.Option("--environment")],
    application_instance: Annotated[str | None, typer.Option("--application-instance")] = None,
    broker_url: BrokerUrl = None,
) -> None:
    """Record that a version was deployed to an environment (it replaces the one there before)."""
    from solo60.harness.broker_api import BrokerError

    with _broker(broker_url) as broker:
        try:
            broker.record_deployment(pacticipant, version, environment, application_instance=application_instance)
        except BrokerError as error:
            _fail(str(error), code=1)
    out.print(f"recorded deployment of {pacticipant} {version} to {environment}")


def pipeline(
    broker_url: Annotated[
        str | None,
        typer.Option("--broker-url", help="Use this broker (ours or the official one) instead of an embedded one."),
    ] = None,
    pacts_dir: PactsDir = Path(__file__).resolve().parents[2] / "pacts",
    version: Annotated[
        str | None, typer.Option("--version", help="Version of every pacticipant (default: git).")
    ] = None,
    branch: Annotated[str | None, typer.Option("--branch", help="Branch (default: git).")] = None,
    environment: Annotated[
        str, typer.Option("--environment", help="Where can-i-deploy asks to deploy to.")
    ] = "production",
) -> None:
    """The whole contract loop: consumer pacts, publish, verify every provider, fuzz them, can-i-deploy."""
    from solo60.harness.broker_api import BrokerError
    from solo60.harness.pipeline import PipelineError, PipelineOptions, run_pipeline
    from solo60.harness.report import failures_text, pairs_table, release_table
    from solo60.services.kit.server import ServiceStartError

    options = PipelineOptions(
        broker_url=broker_url,
        pacts_dir=pacts_dir,
        version=version,
        branch=branch,
        environment=environment,
        console=console,
    )
    try:
        result = run_pipeline(options)
    except (PipelineError, BrokerError, ServiceStartError) as error:
        _fail(str(error), code=1)
    out.print(pairs_table(result.pacts, result.reports))
    if result.release is not None:
        out.print(release_table(result.release))
    if not all(report.ok for report in result.reports):
        console.print(failures_text(result.reports))
    if result.fuzz:
        from solo60.fuzz.report import findings_text, summary_table

        out.print(summary_table(result.fuzz))
        if not all(target.ok for target in result.fuzz):
            console.print(findings_text(result.fuzz))
    total = sum(stage.seconds for stage in result.stages)
    if result.ok:
        out.print(f"[green]every pact verified and every service deployable[/green] ({total:.1f} s)")
        return
    out.print(f"[red]the contract loop found problems[/red] ({total:.1f} s)")
    raise typer.Exit(code=1)


def _pacts_from_reports(reports):  # type: ignore[no-untyped-def]
    from solo60.harness.pact_files import PactFile

    pacts = []
    for report in reports:
        for pair, items in report.pairs().items():
            consumer, _, provider = pair.partition(" -> ")
            pacts.append(PactFile(consumer, provider, Path(pair), len(items)))
    return pacts


def register(app: typer.Typer) -> None:
    app.command("publish")(publish)
    app.command("verify")(verify_command)
    app.command("can-i-deploy")(can_i_deploy)
    app.command("record-deployment")(record_deployment)
    app.command("pipeline")(pipeline)
