"""The `solo60` command line: one entry point for the services, the broker and the contract loop."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import click
import typer

from broker.cli import app as broker_app
from solo60.cli import contracts, fuzz, harness
from solo60.cli.codegen import codegen
from solo60.cli.jobs import app as jobs_app
from solo60.cli.services import app as services_app

app = typer.Typer(
    name="solo60",
    help="Solo60 services and their consumer-driven contract harness.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(services_app, name="services")
app.add_typer(broker_app, name="broker")
app.add_typer(jobs_app, name="jobs")
app.command("codegen")(codegen)
harness.register(app)
fuzz.register(app)
contracts.register(app)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line; a usage mistake is one line on stderr and exit status 2, not a box."""
    usage_errors, click_errors, no_args, aborts = _click_exception_types()
    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv, prog_name="solo60", standalone_mode=False)
    except no_args as error:
        error.ctx.command.get_help(error.ctx)  # typer prints the help itself
        raise SystemExit(2) from None
    except usage_errors as error:
        where = error.ctx.command_path if error.ctx else "solo60"
        click.echo(f"error: {error.format_message()} (see '{where} --help')", err=True)
        raise SystemExit(2) from None
    except click_errors as error:
        click.echo(f"error: {error.format_message()}", err=True)
        raise SystemExit(error.exit_code) from None
    except aborts:
        click.echo("aborted", err=True)
        raise SystemExit(1) from None
    raise SystemExit(code if isinstance(code, int) else 0)


def _click_exception_types() -> tuple[tuple[type[Exception], ...], ...]:
    """Click's exceptions, and their copies in the click that newer typer releases vendor."""
    modules: list[Any] = [click.exceptions]
    with contextlib.suppress(ImportError):
        from typer._click import exceptions as vendored

        modules.append(vendored)
    return tuple(
        tuple({getattr(module, name) for module in modules if hasattr(module, name)} | extra)
        for name, extra in (
            ("UsageError", set()),
            ("ClickException", set()),
            ("NoArgsIsHelpError", set()),
            ("Abort", {typer.Abort}),
        )
    )
