"""`solo60 broker ...`: run the Pact Broker and look after its database."""

from __future__ import annotations

import logging
import sys
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import typer
from rich.console import Console

from broker.config import AuthSettings, BrokerSettings, SettingsError, WebhookPolicy

app = typer.Typer(
    name="broker",
    help="Run the Pact Broker (the official pact clients work against it unmodified).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(stderr=True, soft_wrap=True)


def _fail(message: str) -> None:
    console.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code=2)


def _settings(
    database_url: str | None,
    base_url: str | None,
    allow_hosts: list[str] | None = None,
    tokens: list[str] | None = None,
) -> BrokerSettings:
    try:
        settings = BrokerSettings.from_env()
    except SettingsError as problem:
        _fail(str(problem))
    if base_url is not None:
        parts = urlsplit(base_url)
        context_path_only = base_url.startswith("/") and not parts.netloc
        if not context_path_only and (parts.scheme not in ("http", "https") or not parts.netloc):
            _fail(f"--base-url must be an absolute http(s) URL or a context path like /broker, got {base_url!r}")
        settings = replace(settings, base_url=base_url.rstrip("/"))
    if database_url is not None:
        if not database_url.startswith(("sqlite", "postgres")):
            _fail(f"--database-url must be a sqlite:/// or postgresql:// URL, got {database_url!r}")
        settings = replace(settings, database_url=database_url)
    if allow_hosts:
        settings = replace(
            settings,
            webhooks=replace(settings.webhooks, host_allow_list=settings.webhooks.host_allow_list + tuple(allow_hosts)),
        )
    if tokens:
        settings = replace(settings, auth=replace(settings.auth, tokens=settings.auth.tokens + tuple(tokens)))
    return settings


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    for name in ("broker.access", "broker", "broker.webhooks"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        if not logger.handlers:
            logger.addHandler(handler)
        logger.propagate = False


@app.command()
def serve(
    port: str = typer.Option("9292", help="Port to listen on (0 picks a free one)."),
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    database_url: str | None = typer.Option(
        None, help="PostgreSQL (postgresql://...) or SQLite (sqlite:///path) URL [env: PACT_BROKER_DATABASE_URL]."
    ),
    base_url: str | None = typer.Option(
        None,
        help="Public base URL with any context path, or just the path (/broker) [env: PACT_BROKER_BASE_URL].",
    ),
    webhook_allow_host: list[str] | None = typer.Option(
        None, "--webhook-allow-host", help="Host, *.domain, IP or CIDR webhooks may call despite being private."
    ),
    token: list[str] | None = typer.Option(None, "--token", help="A bearer token with read-write access."),
) -> None:
    """Serve the broker (migrations run on start). `--port 0` picks a free port and prints it."""
    import gc
    import socket

    import uvicorn

    from broker.app import create_app

    if not (port.isascii() and port.isdigit()) or int(port) > 65535:
        _fail(f"--port must be a number from 0 to 65535, got {port!r}")
    settings = _settings(database_url, base_url, webhook_allow_host, token)
    _configure_logging()
    try:
        listener = socket.create_server((host, int(port)), family=socket.AF_INET6 if ":" in host else socket.AF_INET)
    except OSError as failure:
        _fail(f"cannot listen on {host}:{port}: {failure.strerror or failure}")
    try:
        application = create_app(settings)
    except SettingsError as problem:
        _fail(str(problem))
    try:
        application.startup()
    except Exception as failure:  # one line, not a traceback
        _fail(f"cannot open the database: {failure}")
    # What start-up made (modules, routes, templates, the pool, the migrations' leftovers once
    # collected) lives as long as the process: frozen out of the collector's generations, a full
    # collection no longer walks its ~150,000 objects with every request stopped (25-80 ms a pass).
    gc.collect()
    gc.freeze()
    bound = listener.getsockname()[1]
    console.print(f"Pact Broker on http://{host}:{bound} (database: {application.database.location})", highlight=False)
    config = uvicorn.Config(application, log_level="warning", access_log=False, lifespan="on")
    uvicorn.Server(config).run(sockets=[listener])


@app.command()
def migrate(
    database_url: str | None = typer.Option(None, help="Database URL [env: PACT_BROKER_DATABASE_URL]."),
) -> None:
    """Create or upgrade the broker's tables, then exit."""
    from broker.storage.database import Database

    settings = _settings(database_url, None)
    database = Database(settings.database_url)
    try:
        database.migrate()
    except Exception as failure:
        _fail(f"migration failed: {failure}")
    console.print(f"The broker database is up to date ({database.location}).", highlight=False)


@app.command()
def clean(
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Report per pacticipant what would be deleted; delete nothing."
    ),
    keep: str | None = typer.Option(
        None,
        help='Keep selectors as JSON, e.g. \'[{"branch": true, "latest": true}, {"deployed": true}]\' '
        "[env: PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS; default: the official ones].",
    ),
    database_url: str | None = typer.Option(None, help="Database URL [env: PACT_BROKER_DATABASE_URL]."),
    batch_size: int | None = typer.Option(
        None, min=1, help="Rows deleted per transaction [env: PACT_BROKER_DATABASE_CLEAN_DELETION_LIMIT; 500]."
    ),
    overwritten_data_max_age: float | None = typer.Option(
        None,
        min=0,
        help="Days before overwritten data goes [env: PACT_BROKER_DATABASE_CLEAN_OVERWRITTEN_DATA_MAX_AGE; 7].",
    ),
) -> None:
    """Delete versions no keep selector names, stale branches, orphaned and overwritten data."""
    from broker.cleanup.report import print_report
    from broker.cleanup.service import clean as run_clean
    from broker.cleanup.settings import options_from
    from broker.errors import InvalidInputError
    from broker.storage.database import Database

    settings = _settings(database_url, None)
    try:
        options = options_from(
            settings.clean,
            keep=keep,
            dry_run=dry_run or None,
            batch_size=batch_size,
            overwritten_data_max_age_days=overwritten_data_max_age,
        )
    except InvalidInputError as problem:
        _fail(f"--keep: {problem.message}")
    database = Database(settings.database_url)
    try:
        database.migrate()
        with console.status("Cleaning the broker database..." if not options.dry_run else "Planning the clean..."):
            report = run_clean(database, options)
    except Exception as failure:
        _fail(f"the clean failed: {failure}")
    finally:
        database.dispose()
    print_report(Console(), report)


@app.command("openapi")
def openapi(output: Path | None = typer.Option(None, help="Write to this file instead of stdout.")) -> None:
    """Print the broker's OpenAPI document."""
    import json

    from broker.api.openapi import build_document
    from broker.api.resources import build_router

    document = json.dumps(build_document(build_router(), BrokerSettings.from_env()), indent=2)
    if output is None:
        typer.echo(document)
    else:
        output.write_text(document + "\n", encoding="utf-8")
        console.print(f"Wrote {output}")


__all__ = ["AuthSettings", "WebhookPolicy", "app"]
