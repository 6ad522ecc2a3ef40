"""The root `solo60` group, which imports a subcommand's module only when that subcommand runs.

Importing every subcommand eagerly (the services, FastAPI, SQLAlchemy, Schemathesis, the broker)
cost seconds on every run, so `solo60 contracts compare` spent most of its time importing things
it never used. Here each subcommand is a module path and its one-line help: `solo60 --help`
lists them from that table, and running one imports only its module, which registers its
commands on a throwaway Typer exactly as it would on the root one.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class LazyCommand:
    """Where a subcommand lives and the line `solo60 --help` shows for it before it is imported."""

    module: str
    help: str


# In the order `solo60 --help` lists them. Each module has `register(parent)`, or an `app` Typer.
COMMANDS: dict[str, LazyCommand] = {
    "services": LazyCommand("solo60.cli.services", "Run the Solo60 services and export their OpenAPI documents."),
    "broker": LazyCommand("broker.cli", "Run the Pact Broker (the official pact clients work against it unmodified)."),
    "jobs": LazyCommand("solo60.cli.jobs", "Run the services' scheduled work."),
    "codegen": LazyCommand(
        "solo60.cli.codegen", "Write the typed service clients from the contracts (solo60/clients/generated/)."
    ),
    "publish": LazyCommand(
        "solo60.cli.harness",
        "Publish every pact in the pacts directory to the broker (only pacts a complete run wrote).",
    ),
    "verify": LazyCommand(
        "solo60.cli.harness", "Verify providers against their pacts (local directory, or the broker with selectors)."
    ),
    "can-i-deploy": LazyCommand(
        "solo60.cli.harness", "Ask the broker whether these versions can be deployed (exit 0 only on yes)."
    ),
    "record-deployment": LazyCommand(
        "solo60.cli.harness",
        "Record that a version was deployed to an environment (it replaces the one there before).",
    ),
    "pipeline": LazyCommand(
        "solo60.cli.harness",
        "The whole contract loop: consumer pacts, compare with OpenAPI, publish, verify, fuzz, can-i-deploy.",
    ),
    "fuzz": LazyCommand(
        "solo60.cli.fuzz",
        "Fuzz live services and the broker with Schemathesis: every operation, every check, stateful links.",
    ),
    "contracts": LazyCommand(
        "solo60.cli.contracts", "Check pacts against providers' OpenAPI documents, no provider running."
    ),
}


def load(name: str) -> dict[str, Any]:
    """Import the module behind `name` and build the click commands it registers, by name."""
    module = importlib.import_module(COMMANDS[name].module)
    holder = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    register = getattr(module, "register", None)
    if register is not None:
        register(holder)
    else:
        holder.add_typer(module.app, name=name)
    built = typer.main.get_command(holder)
    if isinstance(built, TyperGroup):
        return dict(built.commands)
    return {name: built}


class LazyGroup(TyperGroup):
    """A Typer group whose subcommands in `COMMANDS` are imported on first use."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return [*self.commands, *(name for name in COMMANDS if name not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name not in COMMANDS:
            return None
        if self._listing:
            # The help page only needs the line: a stand-in, so `solo60 --help` imports nothing.
            return TyperCommand(name=cmd_name, help=COMMANDS[cmd_name].help)
        for name, command in load(cmd_name).items():
            self.commands.setdefault(name, command)
        return self.commands.get(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except Exception as error:
            # Typer suggests close names from the commands loaded so far; offer every one.
            message = getattr(error, "message", None)
            if isinstance(message, str) and "Did you mean" not in message and args:
                from difflib import get_close_matches

                matches = get_close_matches(args[0], self.list_commands(ctx))
                if matches:
                    error.message = f"{message.rstrip('.')}. Did you mean {', '.join(map(repr, matches))}?"  # type: ignore[attr-defined]
            raise
