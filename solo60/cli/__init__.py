"""The `solo60` command line: one entry point for the services, the broker and the contract loop.

`main` is the console script. The Typer application (`application.py`, also importable as
`solo60.cli.app`) imports each subcommand's module only when it runs (`lazy.py`).
`solo60 contracts compare`, which CI and the pipeline may run once per provider, skips Typer
altogether: it is the comparator's own command line (`python -m
broker.provider_contracts.comparison`), and Typer alone (with the pydantic it validates every
parameter through) would cost more than a comparison of the project's pacts.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

COMPARE = ["contracts", "compare"]


def main(argv: Sequence[str] | None = None) -> None:
    """Run `solo60 ARGS...`; exits with the command's status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:2] == COMPARE:
        raise SystemExit(compare(arguments[2:]))
    from solo60.cli.application import run

    run(arguments)


def compare(arguments: Sequence[str]) -> int:
    """`solo60 contracts compare ARGS...`: the comparator's own command line, under this name."""
    from broker.provider_contracts.comparison.__main__ import main as comparator

    return comparator(list(arguments), prog=" ".join(["solo60", *COMPARE]))


def __getattr__(name: str) -> Any:
    """`solo60.cli.app`, the Typer application, imported when asked for (tests drive it directly)."""
    if name == "app":
        from solo60.cli.application import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
