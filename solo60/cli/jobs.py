"""`solo60 jobs ...`: run the services' scheduled work, e.g. `solo60 jobs run-due` every few minutes from cron."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from solo60.jobs import DueRun

app = typer.Typer(help="Run the services' scheduled work.", no_args_is_help=True)
errors = Console(stderr=True)


def _fail(message: str) -> None:
    errors.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _moment(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        _fail(f"--now takes an ISO 8601 time with its offset, e.g. 2025-01-31T09:00:00Z, not {text!r}")
    assert moment is not None
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        _fail(f"--now {text!r} is out of range once converted to UTC")
        raise


@app.command("run-due")
def run_due(
    now: Annotated[
        str | None, typer.Option("--now", help="Act as if it were this time (ISO 8601 with offset); default: now.")
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="The subscription service's database (default: SUBSCRIPTION_DATABASE_URL, else its SQLite file).",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what is due; change, charge and mail nothing.")
    ] = False,
) -> None:
    """Do the subscription jobs that are due, then delete what is past retention; safe to run concurrently.

    Reminders, renewals, conversions and ends in the subscription service's database; then, in every
    service's database, delivered outbox messages and idempotency records past their retention
    (SOLO60_OUTBOX_RETENTION_DAYS, SOLO60_IDEMPOTENCY_RETENTION_DAYS: 7 days each by default).
    """
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from solo60.jobs import run_due as run
    from solo60.services.kit.retention import RetentionPolicy
    from solo60.services.kit.settings import ConfigurationError

    moment = _moment(now)
    try:
        policy = RetentionPolicy.from_environ(os.environ)
    except ConfigurationError as error:
        _fail(str(error))
    try:
        report = asyncio.run(
            run(now=moment, environ=os.environ, database_url=database_url, dry_run=dry_run, policy=policy)
        )
    except (ArgumentError, ConfigurationError) as error:
        _fail(f"cannot use the subscription database: {error}")
    except (SQLAlchemyError, OSError) as error:
        _fail(f"cannot use the subscription database: {_first_line(error)}")
    console = Console()
    if not report.results:
        console.print(f"Nothing was due at {moment:%Y-%m-%dT%H:%M:%SZ}.")
    else:
        console.print(_table(report))
    if any(result.changed for result in report.retention):
        console.print(_retention_table(report))
    if report.failed or report.retention_failed:
        raise typer.Exit(code=1)


def _table(report: DueRun) -> Table:
    title = f"{'Due (dry run)' if report.dry_run else 'Done'} at {report.now:%Y-%m-%dT%H:%M:%SZ}"
    table = Table(title=title, caption=f"{len(report.results)} jobs, {len(report.failed)} failed · {report.database}")
    for column in ("job", "subscription", "member", "due for", "outcome"):
        table.add_column(column)
    for result in report.results:
        outcome = f"[red]{result.outcome}[/red]" if result.failed else result.outcome
        table.add_row(result.job, result.subscription_id, result.user_id, f"{result.due_for:%Y-%m-%d %H:%M}Z", outcome)
    return table


def _retention_table(report: DueRun) -> Table:
    policy = report.policy
    title = "Retention (dry run: would delete)" if report.dry_run else "Retention: deleted"
    caption = (
        f"idempotency records older than {_span(policy.idempotency)}, "
        f"delivered outbox messages and consumed event ids older than {_span(policy.delivered)}"
    )
    table = Table(title=title, caption=caption)
    for column in ("service", "idempotency records", "delivered messages", "events seen", "outcome"):
        table.add_column(column)
    for result in report.retention:
        if result.changed:
            outcome = f"[red]{result.error}[/red]" if result.error else "done"
            counts = (result.idempotency_records, result.delivered_messages, result.seen_events)
            table.add_row(result.service, *map(str, counts), outcome)
    return table


def _span(duration: timedelta) -> str:
    days = duration.total_seconds() / 86_400
    return f"{days:g} days" if days >= 1 else f"{duration.total_seconds() / 3600:g} hours"


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error)
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__
