"""The contract loop's commands: publish, verify, can-i-deploy, record-deployment, pipeline.

Each parses its arguments, calls the step of `solo60/harness/` it is named after and prints
the answer; the official `pact broker` CLI works equally well against the same broker. Every
command reaches the broker through one `BrokerAccess` (flags, else the `PACT_BROKER_*`
variables), and every failure is one line on stderr: a usage mistake exits 2, a broker that
refuses, fails or cannot be reached exits 1 naming the broker and the status.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from solo60.harness.broker_access import BrokerAccess, BrokerAccessError, BrokerError
from solo60.services import SERVICE_NAMES

console = Console(stderr=True)
out = Console()

BrokerUrl = Annotated[
    str | None, typer.Option("--broker-url", help="The Pact Broker (default: $PACT_BROKER_BASE_URL).")
]
BrokerUsername = Annotated[
    str | None, typer.Option("--broker-username", help="Basic auth user (default: $PACT_BROKER_USERNAME).")
]
BrokerPassword = Annotated[
    str | None, typer.Option("--broker-password", help="Basic auth password (default: $PACT_BROKER_PASSWORD).")
]
BrokerToken = Annotated[
    str | None, typer.Option("--broker-token", help="Bearer token, instead of a user (default: $PACT_BROKER_TOKEN).")
]
PactsDir = Annotated[Path, typer.Option("--pacts-dir", help="Where the consumer suites write pacts.")]
DEFAULT_PACTS = Path("pacts")
REPOSITORY_PACTS = Path(__file__).resolve().parents[2] / "pacts"


def fail(message: str, code: int = 2) -> NoReturn:
    """One line on stderr, never wrapped or read as markup, and the exit status."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=code)


@contextmanager
def reported() -> Iterator[None]:
    """The harness's errors as one line each: the broker's exit 1, a name that does not exist exit 2."""
    from solo60.harness.judged.environments import UnknownEnvironment
    from solo60.harness.published.publish import PublishRefused
    from solo60.harness.verified.verification import VerifierFailed
    from solo60.services.kit.server import ServiceStartError

    try:
        yield
    except (BrokerAccessError, UnknownEnvironment) as error:
        fail(str(error), code=2)
    except (BrokerError, PublishRefused, ServiceStartError, VerifierFailed) as error:
        fail(str(error), code=1)


def broker_access(
    url: str | None, username: str | None, password: str | None, token: str | None, *, required: bool = True
) -> BrokerAccess | None:
    """The broker these flags (else the environment) name; a usage error when it is required and missing."""
    try:
        if required:
            return BrokerAccess.require(url, username=username, password=password, token=token)
        return BrokerAccess.resolve(url, username=username, password=password, token=token)
    except BrokerAccessError as error:
        fail(str(error), code=2)


def publish(
    broker_url: BrokerUrl = None,
    broker_username: BrokerUsername = None,
    broker_password: BrokerPassword = None,
    broker_token: BrokerToken = None,
    pacts_dir: PactsDir = DEFAULT_PACTS,
    version: Annotated[str | None, typer.Option("--consumer-version", help="Default: the git SHA.")] = None,
    branch: Annotated[str | None, typer.Option("--branch", help="Default: the git branch.")] = None,
    tag: Annotated[list[str], typer.Option("--tag", help="Tag the consumer version; repeatable.")] = [],  # noqa: B006
    build_url: Annotated[str | None, typer.Option("--build-url")] = None,
) -> None:
    """Publish every pact in the pacts directory to the broker (only pacts a complete run wrote)."""
    from solo60.harness.made.pact_files import pact_files
    from solo60.harness.published.publish import PublishOptions, publish_pacts
    from solo60.harness.versions import resolve_revision

    access = broker_access(broker_url, broker_username, broker_password, broker_token)
    pacts = pact_files(pacts_dir) if pacts_dir.is_dir() else []
    if not pacts:
        fail(f"no pacts in {pacts_dir}: run `pytest consumers/` first")
    revision = resolve_revision(version, branch, pacts=(pact.path for pact in pacts))
    options = PublishOptions(revision, tags=tag, build_url=build_url)

    def published(pact):  # type: ignore[no-untyped-def]
        typer.echo(f"published {pact.pair} ({pact.interactions} interactions) as {pact.consumer} {revision.version}")

    assert access is not None
    with reported(), access.client() as client:
        publish_pacts(client, pacts, options, published=published)


def verify_command(
    providers: Annotated[
        list[str] | None, typer.Argument(help="Providers to verify (default: every provider with pacts).")
    ] = None,
    broker_url: BrokerUrl = None,
    broker_username: BrokerUsername = None,
    broker_password: BrokerPassword = None,
    broker_token: BrokerToken = None,
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
    from solo60.cli.tables import failures_text, pairs_table
    from solo60.harness.made.pact_files import PactFile, pact_files
    from solo60.harness.verified.junit import write_junit
    from solo60.harness.verified.verification import BrokerSource, ResultsPublication, verify
    from solo60.harness.versions import resolve_revision
    from solo60.services.kit.server import running_services

    given_urls = {}
    for item in provider_url:
        name, separator, url = item.partition("=")
        if not separator or name not in SERVICE_NAMES or not url.startswith(("http://", "https://")):
            fail(f"--provider-url takes NAME=URL with a known service and an http(s) URL, not {item!r}")
        given_urls[name] = url.rstrip("/")
    access = broker_access(broker_url, broker_username, broker_password, broker_token, required=False)
    local = [] if access else (pact_files(pacts_dir) if pacts_dir.is_dir() else [])
    chosen = providers or sorted({pact.provider for pact in local}) or ([] if not access else list(SERVICE_NAMES))
    unknown = [name for name in chosen if name not in SERVICE_NAMES]
    if unknown:
        fail(f"unknown provider {unknown[0]!r}; choose from {', '.join(SERVICE_NAMES)}")
    if not chosen:
        fail(f"nothing to verify: no pacts in {pacts_dir} and no --broker-url")
    if publish_results and not access:
        fail("--publish needs --broker-url: results are published to a broker")
    for name in chosen:
        if access is None and not any(pact.provider == name for pact in local):
            fail(f"no pacts for {name} in {pacts_dir}")
    revision = resolve_revision(provider_version, branch)
    results = ResultsPublication(revision) if publish_results else None
    source = BrokerSource(access, provider_branch=revision.branch) if access else None
    to_start = [name for name in chosen if name not in given_urls]
    environ = {**os.environ, "SOLO60_PROVIDER_STATES": "1", "SOLO60_RATE_LIMIT": "1000000/minute"}
    reports = []
    with reported(), running_services(to_start, environ=environ) as started:
        urls = {**{name: service.url for name, service in started.items()}, **given_urls}
        for name in chosen:
            files = [pact.path for pact in local if pact.provider == name]
            with console.status(f"verifying {name}…"):
                reports.append(verify(name, urls[name], pacts=files, broker=source, publish=results, quiet=True))
    if junit is not None:
        write_junit(reports, junit)
    pacts = local or [
        PactFile(*pair.split(" -> "), Path(pair), len(items))
        for report in reports
        for pair, items in report.pairs().items()
    ]
    out.print(pairs_table(pacts, reports))
    failed = [report for report in reports if not report.ok]
    if failed:
        typer.echo(failures_text(failed), err=True)
        raise typer.Exit(code=1)


def can_i_deploy(
    pacticipant: Annotated[list[str], typer.Option("--pacticipant", "-a", help="Repeatable, in order with --version.")],
    version: Annotated[list[str], typer.Option("--version", "-e", help="The version of each --pacticipant.")],
    to_environment: Annotated[str | None, typer.Option("--to-environment")] = None,
    ignore: Annotated[list[str], typer.Option("--ignore", help="A pacticipant to ignore; repeatable.")] = [],  # noqa: B006
    broker_url: BrokerUrl = None,
    broker_username: BrokerUsername = None,
    broker_password: BrokerPassword = None,
    broker_token: BrokerToken = None,
) -> None:
    """Ask the broker whether these versions can be deployed (exit 0 only on yes)."""
    from solo60.cli.tables import verdict_table
    from solo60.harness.judged.environments import environment_named
    from solo60.harness.judged.matrix import Selector, can_i_deploy

    if len(version) != len(pacticipant):
        fail("give one --version for each --pacticipant, in the same order")
    access = broker_access(broker_url, broker_username, broker_password, broker_token)
    assert access is not None
    selectors = [Selector(name, number) for name, number in zip(pacticipant, version, strict=True)]
    with reported(), access.client() as client:
        if to_environment:
            environment_named(client, to_environment)
        verdict = can_i_deploy(client, selectors, to_environment=to_environment, ignore=ignore)
    out.print(verdict_table(verdict))
    for notice in verdict.notices:
        out.print(f"{notice.type}: {notice.text}", markup=False)
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
    broker_username: BrokerUsername = None,
    broker_password: BrokerPassword = None,
    broker_token: BrokerToken = None,
) -> None:
    """Record that a version was deployed to an environment (it replaces the one there before)."""
    from solo60.harness.judged.deployments import record_deployment as record

    access = broker_access(broker_url, broker_username, broker_password, broker_token)
    assert access is not None
    with reported(), access.client() as client:
        record(client, pacticipant, version, environment, application_instance=application_instance)
    typer.echo(f"recorded deployment of {pacticipant} {version} to {environment}")


def pipeline(
    broker_url: Annotated[
        str | None,
        typer.Option("--broker-url", help="Use this broker (ours or the official one) instead of an embedded one."),
    ] = None,
    broker_username: BrokerUsername = None,
    broker_password: BrokerPassword = None,
    broker_token: BrokerToken = None,
    pacts_dir: PactsDir = REPOSITORY_PACTS,
    version: Annotated[
        str | None, typer.Option("--version", help="Version of every pacticipant (default: git).")
    ] = None,
    branch: Annotated[str | None, typer.Option("--branch", help="Branch (default: git).")] = None,
    environment: Annotated[
        str, typer.Option("--environment", help="Where can-i-deploy asks to deploy to.")
    ] = "production",
) -> None:
    """The whole contract loop: consumer pacts, compare with OpenAPI, publish, verify, fuzz, can-i-deploy.

    The comparison checks every pact against its provider's generated OpenAPI document before any
    provider starts, so a consumer expecting what the provider's contract never declares is named
    (interaction, result code, field) in about a second.
    """
    from solo60.cli.tables import failures_text, mismatches_text, pairs_table, release_table
    from solo60.harness.pipeline import PipelineError, PipelineOptions, run_pipeline

    # Only --broker-url chooses an external broker; without it the pipeline runs its own.
    access = broker_access(broker_url, broker_username, broker_password, broker_token) if broker_url else None
    options = PipelineOptions(
        broker=access, pacts_dir=pacts_dir, version=version, branch=branch, environment=environment, console=console
    )
    try:
        with reported():
            result = run_pipeline(options)
    except PipelineError as error:
        fail(str(error), code=1)
    out.print(pairs_table(result.pacts, result.reports, result.comparisons))
    if not all(comparison.ok for comparison in result.comparisons):
        typer.echo(mismatches_text(result.comparisons), err=True)
    if result.release is not None:
        out.print(release_table(result.release))
    if not all(report.ok for report in result.reports):
        typer.echo(failures_text(result.reports), err=True)
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


def register(app: typer.Typer) -> None:
    app.command("publish")(publish)
    app.command("verify")(verify_command)
    app.command("can-i-deploy")(can_i_deploy)
    app.command("record-deployment")(record_deployment)
    app.command("pipeline")(pipeline)
