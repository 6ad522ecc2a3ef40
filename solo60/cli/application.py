"""The `solo60` Typer application and how it runs: usage mistakes as one line and status 2.

Subcommands are imported when they run, not when `solo60` starts (`lazy.py`), so a quick
command such as `solo60 --help` does not pay for the services, the broker and Schemathesis.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import click
import typer

from solo60.cli.lazy import LazyGroup

app = typer.Typer(
    name="solo60",
    help="Solo60 services and their consumer-driven contract harness.",
    cls=LazyGroup,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """Solo60 services and their consumer-driven contract harness."""  # a group even with no eager command


def run(argv: Sequence[str] | None = None) -> None:
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
