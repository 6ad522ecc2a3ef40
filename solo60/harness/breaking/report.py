"""The gate's verdict as a table (changes, then what each breaks) or as one JSON document."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from solo60.harness.breaking.gate import ProviderVerdict


def as_json(base: str, candidate: str, verdicts: Sequence[ProviderVerdict]) -> dict[str, Any]:
    return {
        "base": base,
        "candidate": candidate,
        "breaking": any(verdict.breaking for verdict in verdicts),
        "providers": [verdict.as_json() for verdict in verdicts],
    }


def write_json(out: TextIO, base: str, candidate: str, verdicts: Sequence[ProviderVerdict]) -> None:
    out.write(json.dumps(as_json(base, candidate, verdicts), indent=2) + "\n")


def write_table(out: TextIO, base: str, candidate: str, verdicts: Sequence[ProviderVerdict]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    probe = Console(file=out)
    console = Console(file=out, width=probe.width if probe.is_terminal else 160)
    console.print(f"Breaking changes from {escape(base)} to {escape(candidate)}")
    for verdict in verdicts:
        counted = ", ".join(sorted({f"{pact.consumer} ({pact.why})" for pact in verdict.consumers})) or "none"
        if not verdict.changes:
            note = verdict.missing or "no change"
            console.print(
                f"[bold]{escape(verdict.provider)}[/bold]: {escape(note)}; consumers: {escape(counted)}", soft_wrap=True
            )
            continue
        table = Table(title=escape(f"{verdict.provider}: consumers {counted}"))
        table.add_column("operation", overflow="fold")
        table.add_column("change", overflow="fold", ratio=1)
        table.add_column("verdict", no_wrap=True)
        for judged in verdict.changes:
            outcome = "[green]safe[/green]" if judged.safe else f"[red]breaks {len(judged.breaks)}[/red]"
            table.add_row(escape(judged.change.operation), escape(judged.change.summary), outcome)
        console.print(table)
        for judged in verdict.changes:
            if judged.safe:
                continue
            console.print(
                f"[red]{escape(judged.change.operation)} {escape(judged.change.summary)}[/red] breaks:", soft_wrap=True
            )
            for found in judged.breaks:
                console.print(
                    f"  {escape(found.consumer)} {escape(found.version)} ({escape(found.why)}): "
                    f"{escape(found.interaction)}",
                    soft_wrap=True,
                )
                for problem in found.problems:
                    console.print(f"    [dim]{escape(problem)}[/dim]", soft_wrap=True)
    broken = [verdict.provider for verdict in verdicts if verdict.breaking]
    if broken:
        console.print(f"[red]Breaking for consumers of: {escape(', '.join(broken))}[/red]")
    else:
        console.print("[green]No consumer that matters breaks.[/green]")
