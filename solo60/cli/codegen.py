"""`solo60 codegen`: write the typed service clients from the contracts, or check that they are current."""

from __future__ import annotations

from pathlib import Path

import typer


def codegen(
    check: bool = typer.Option(False, "--check", help="Change nothing; exit 1 naming the stale files."),
    output: Path | None = typer.Option(
        None, "--output", help="Directory of the generated client modules (default: solo60/clients/generated/)."
    ),
) -> None:
    """Write the typed service clients from the contracts (solo60/clients/generated/)."""
    # imported here, not at the top: every other `solo60` command would pay for the contracts' models
    from solo60.contracts import all_contracts
    from solo60.contracts.codegen import GENERATED_DIR, stale_files, write_files

    output = output or GENERATED_DIR
    contracts = all_contracts()
    if check:
        stale = stale_files(output, contracts)
        if stale:
            typer.echo(f"stale generated clients in {output}: {', '.join(stale)}; run `solo60 codegen`", err=True)
            raise typer.Exit(code=1)
        typer.echo(f"generated clients are current ({len(contracts)} services)")
        return
    changed = write_files(output, contracts)
    typer.echo(f"wrote {', '.join(changed)}" if changed else "generated clients were already current")


def register(parent: typer.Typer) -> None:
    parent.command("codegen")(codegen)
