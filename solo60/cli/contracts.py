"""`solo60 contracts compare`: is each pact a subset of the provider's OpenAPI document?

    solo60 contracts compare --oas openapi/gym.openapi.json pacts/session-gym.json
    solo60 contracts compare --oas https://gym.internal/openapi.json --json pacts/*.json

Checks every HTTP interaction (pact V2, V3 or V4) against an OpenAPI 3.0 or 3.1 document (JSON or
YAML, `$ref`s resolved) with the rules and result codes of PactFlow's comparator, no provider
running. Prints a table and a verdict per pact, or with `--json` one line per pact (its list of
results). Exit status: the number of pacts with errors; 2 when an argument is wrong.
"""

from __future__ import annotations

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


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="contracts")
