"""The comparison as a command: read the document and the pacts, compare, print one JSON line
per pact (`--json`, the reference comparator's output) or a table and a verdict per pact.

The exit status is the number of pacts with errors (at most 255); an input that cannot be read
is a usage problem: one line on stderr and status 2. Shared by `solo60 contracts compare` and
`python -m broker.provider_contracts.comparison`; imports stay lazy so a run costs little more
than the comparison itself.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from broker.provider_contracts.comparison.comparator import Comparator
from broker.provider_contracts.comparison.documents import load_document, parse_text, read_text
from broker.provider_contracts.comparison.errors import ComparisonError, PactError
from broker.provider_contracts.comparison.results import Result

MAX_EXIT_STATUS = 255
USAGE_STATUS = 2


def read_pact(source: str) -> Any:
    try:
        text, _ = read_text(source, "pact")
        return parse_text(text, f"pact {source}")
    except ComparisonError as problem:
        raise PactError(str(problem)) from None


def run(oas: str, pacts: Sequence[str], *, as_json: bool, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        comparator = Comparator(load_document(oas))
        documents = [(source, read_pact(source)) for source in pacts]
        outcomes = [(source, comparator.compare(document, source)) for source, document in documents]
    except ComparisonError as problem:
        print(f"error: {problem}", file=err)
        return USAGE_STATUS
    if as_json:
        for _, results in outcomes:
            out.write(json.dumps([result.as_json() for result in results], separators=(",", ":"), default=str))
            out.write("\n")
    else:
        _print_table(oas, outcomes, out)
    failing = sum(1 for _, results in outcomes if any(result.is_error for result in results))
    return min(failing, MAX_EXIT_STATUS)


def _print_table(oas: str, outcomes: list[tuple[str, list[Result]]], out: TextIO) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    probe = Console(file=out)
    console = Console(file=out, width=probe.width if probe.is_terminal else 160)
    findings = Table(title=escape(f"Pacts compared with {oas}"), show_lines=True)
    findings.add_column("pact", overflow="fold")
    findings.add_column("interaction", overflow="fold")
    findings.add_column("code", no_wrap=True)
    findings.add_column("message", overflow="fold", ratio=1)
    for source, results in outcomes:
        for result in results:
            colour = "red" if result.is_error else "yellow"
            findings.add_row(
                escape(Path(source).name),
                escape(result.mock.interaction_description or ""),
                f"[{colour}]{result.code}[/{colour}]",
                f"{escape(result.message)}\n[dim]{escape(result.mock.location)}[/dim]",
            )
    if findings.row_count:
        console.print(findings)
    verdicts = Table(title="Verdict")
    for column in ("pact", "errors", "warnings", "verdict"):
        verdicts.add_column(column)
    for source, results in outcomes:
        errors = sum(1 for result in results if result.is_error)
        warnings = len(results) - errors
        verdict = "[red]incompatible[/red]" if errors else "[green]compatible[/green]"
        verdicts.add_row(escape(Path(source).name), str(errors), str(warnings), verdict)
    console.print(verdicts)
