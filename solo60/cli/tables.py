"""The verdict tables people read at the end of a command (rich): pairs verified, can-i-deploy, the release."""

from __future__ import annotations

from collections.abc import Sequence

from rich.markup import escape
from rich.table import Table

from solo60.harness.compared.static_check import PactComparison
from solo60.harness.judged.matrix import Verdict
from solo60.harness.judged.release_gate import ReleaseVerdict
from solo60.harness.made.pact_files import PactFile
from solo60.harness.verified.verification import VerificationReport

YES = "[green]yes[/green]"
NO = "[red]no[/red]"


def pairs_table(
    pacts: Sequence[PactFile],
    reports: Sequence[VerificationReport],
    comparisons: Sequence[PactComparison] | None = None,
) -> Table:
    """One row per consumer -> provider pair: its interactions, how many verified, the result;
    with `comparisons`, also whether the pact is compatible with the provider's OpenAPI document."""
    table = Table(title="Pacts")
    static = {comparison.pact.pair: comparison for comparison in comparisons or []}
    columns = ("pair", "interactions", *(["OpenAPI"] if comparisons is not None else []), "verified", "pending")
    for column in (*columns, "result"):
        table.add_column(column, justify="left" if column == "pair" else "right")
    results = {pair: items for report in reports for pair, items in report.pairs().items()}
    for pact in sorted(pacts, key=lambda item: item.pair):
        items = results.get(pact.pair, [])
        verified = sum(item.ok for item in items)
        pending = sum(item.pending and not item.ok for item in items)
        failed = sum(not item.ok and not item.pending for item in items)
        if not items:
            outcome = "[red]not verified[/red]"
        elif failed:
            outcome = f"[red]{failed} failed[/red]"
        elif pending:
            outcome = "[yellow]pending[/yellow]"
        else:
            outcome = "[green]verified[/green]"
        openapi = [_compatibility(static.get(pact.pair))] if comparisons is not None else []
        table.add_row(pact.pair, str(pact.interactions), *openapi, f"{verified}/{len(items)}", str(pending), outcome)
    return table


def _compatibility(comparison: PactComparison | None) -> str:
    if comparison is None:
        return "-"
    if comparison.ok and comparison.messages == comparison.pact.interactions:
        return "messages: producer verifies"
    if comparison.ok:
        return "[green]compatible[/green]"
    errors = len(comparison.errors)
    return f"[red]{errors} error{'s' if errors != 1 else ''}[/red]"


def release_table(release: ReleaseVerdict) -> Table:
    table = Table(title=f"can-i-deploy to {release.environment} (every service at {release.version[:12]})")
    for column in ("pacticipant", "deployable", "why not"):
        table.add_column(column)
    for item in release.pacticipants:
        table.add_row(item.pacticipant, YES if item.deployable else NO, escape("; ".join(item.reasons)))
    return table


def verdict_table(verdict: Verdict) -> Table:
    """The rows of one can-i-deploy answer, as the official CLI lists them."""
    table = Table(title="can-i-deploy")
    for column in ("consumer", "version", "provider", "version ", "success"):
        table.add_column(column)
    for row in verdict.rows:
        success = "-" if row.success is None else (YES if row.success else NO)
        table.add_row(
            row.consumer, row.consumer_version[:12], row.provider, (row.provider_version or "-")[:12], success
        )
    return table


def failures_text(reports: Sequence[VerificationReport]) -> str:
    return "\n\n".join(report.describe_failures() for report in reports if not report.ok)


def mismatches_text(comparisons: Sequence[PactComparison]) -> str:
    """Every error of the static comparison: the pair, the interaction, the code and the field."""
    return "\n".join(comparison.describe_errors() for comparison in comparisons if not comparison.ok)
