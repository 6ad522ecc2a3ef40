"""The `solo60` command line: one entry point for the services, the broker and the contract loop."""

from __future__ import annotations

import typer

from broker.cli import app as broker_app
from solo60.cli import fuzz, harness
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


def main() -> None:
    app()
