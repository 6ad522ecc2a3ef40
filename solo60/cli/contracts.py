"""`solo60 contracts compare|breaking`: pacts against providers' OpenAPI documents, no provider running.

`compare`: is each pact a subset of the provider's OpenAPI document?

    solo60 contracts compare --oas openapi/gym.openapi.json pacts/session-gym.json
    solo60 contracts compare --oas https://gym.internal/openapi.json --json pacts/*.json

Checks every HTTP interaction (pact V2, V3 or V4) against an OpenAPI 3.0 or 3.1 document (JSON or
YAML, `$ref`s resolved) with the rules and result codes of PactFlow's comparator, no provider
running. Prints a table and a verdict per pact, or with `--json` one line per pact (its list of
results). Exit status: the number of pacts with errors; 2 when an argument is wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="contracts",
    help="Check pacts against providers' OpenAPI documents, no provider running.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.command(
    "compare",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def compare(ctx: typer.Context) -> None:
    """Compare each pact with the OpenAPI document; exit status = pacts with errors.

    Usage: solo60 contracts compare --oas FILE_OR_URL [--json] PACT...
    """
    from solo60.cli import compare as comparator  # the one parser, however the command is reached

    raise typer.Exit(code=comparator(ctx.args))


@app.command("breaking")
def breaking(
    providers: Annotated[
        list[str] | None, typer.Argument(metavar="[PROVIDER...]", help="Providers to check (default: all seven).")
    ] = None,
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            metavar="REF|broker",
            help="The git ref to compare with (default: the merge-base with main), or `broker`: the provider's "
            "latest main-branch contract in the broker.",
        ),
    ] = None,
    broker_url: Annotated[
        str | None,
        typer.Option("--broker-url", help="Consumers from this broker (default: $PACT_BROKER_BASE_URL; none: pacts/)."),
    ] = None,
    environments: Annotated[
        list[str] | None,
        typer.Option(
            "--environment", metavar="ENV", help="With a broker: environments whose consumers count (default: all)."
        ),
    ] = None,
    pacts_dir: Annotated[
        Path | None, typer.Option("--pacts-dir", help="Without a broker: the consumers' pacts (default: pacts/).")
    ] = None,
    repo: Annotated[
        Path | None,
        typer.Option("--repo", help="The repository whose working tree is the candidate (default: the current one)."),
    ] = None,
    broker_username: Annotated[str | None, typer.Option("--broker-username", help="$PACT_BROKER_USERNAME")] = None,
    broker_password: Annotated[str | None, typer.Option("--broker-password", help="$PACT_BROKER_PASSWORD")] = None,
    broker_token: Annotated[str | None, typer.Option("--broker-token", help="$PACT_BROKER_TOKEN")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document instead of tables.")] = False,
) -> None:
    """Which consumers would a change to the providers' contracts break? Exit 1 if any that matters."""
    from solo60.harness.breaking.command import BreakingOptions, run
    from solo60.harness.broker_access import BrokerAccess, BrokerAccessError

    try:
        access = BrokerAccess.resolve(
            broker_url, username=broker_username, password=broker_password, token=broker_token
        )
    except BrokerAccessError as problem:
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(code=2) from None
    options = BreakingOptions(
        providers=providers or (),
        base=base,
        repo=repo,
        pacts_dir=pacts_dir,
        broker=access,
        environments=environments or (),
        as_json=as_json,
    )
    raise typer.Exit(code=run(options))


@app.command("coverage")
def coverage(
    broker_url: Annotated[
        str | None,
        typer.Option("--broker-url", help="Read the map from this broker's /coverage (default: offline, pacts/)."),
    ] = None,
    pacts_dir: Annotated[Path | None, typer.Option("--pacts-dir", help="Offline: the pacts (default: pacts/).")] = None,
    fuzz_report: Annotated[
        Path | None,
        typer.Option(
            "--fuzz-report",
            help="Offline: a `solo60 fuzz --report junit` file (default: reports/fuzz-junit.xml if present).",
        ),
    ] = None,
    repo: Annotated[Path | None, typer.Option("--repo", help="The repository (default: the current one).")] = None,
    html_file: Annotated[Path | None, typer.Option("--html", metavar="FILE", help="Also write one HTML page.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document instead of tables.")] = False,
    broker_username: Annotated[str | None, typer.Option("--broker-username", help="$PACT_BROKER_USERNAME")] = None,
    broker_password: Annotated[str | None, typer.Option("--broker-password", help="$PACT_BROKER_PASSWORD")] = None,
    broker_token: Annotated[str | None, typer.Option("--broker-token", help="$PACT_BROKER_TOKEN")] = None,
) -> None:
    """Which operations, statuses and fields each consumer uses, verified how, and what nobody uses."""
    import sys

    from solo60.harness.breaking.consumers import ConsumersError
    from solo60.harness.breaking.documents import DocumentsError, repository_root
    from solo60.harness.broker_access import BrokerAccess, BrokerAccessError, BrokerError
    from solo60.harness.coverage.gather import (
        DEFAULT_FUZZ_REPORT,
        CoverageInputError,
        broker_coverage,
        offline_coverage,
    )
    from solo60.harness.coverage.report import html_page, write_json, write_table

    try:
        access = BrokerAccess.resolve(
            broker_url, username=broker_username, password=broker_password, token=broker_token
        )
        if access is not None:
            found = broker_coverage(access)
        else:
            root = repository_root(repo or Path.cwd())
            report = fuzz_report or (root / DEFAULT_FUZZ_REPORT if (root / DEFAULT_FUZZ_REPORT).is_file() else None)
            found = offline_coverage(root, pacts_dir or root / "pacts", report)
    except (BrokerAccessError, BrokerError, DocumentsError, ConsumersError, CoverageInputError) as problem:
        typer.echo(f"error: {problem}", err=True)
        raise typer.Exit(code=2) from None
    if html_file is not None:
        html_file.parent.mkdir(parents=True, exist_ok=True)
        html_file.write_text(html_page(found))
    (write_json if as_json else write_table)(sys.stdout, found)


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="contracts")
