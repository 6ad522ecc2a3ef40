"""A clean's report for people: per pacticipant versions, then the other data, as rich tables."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from broker.cleanup.service import CleanReport


def summary(report: CleanReport) -> str:
    """One line, for the broker's log after a scheduled clean."""
    if report.skipped:
        return "clean skipped: another broker instance is cleaning"
    verb = "would delete" if report.dry_run else "deleted"
    others = ", ".join(f"{count} {name}" for name, count in report.deleted.items() if count)
    return f"clean {verb} {report.versions_deleted} versions" + (f", {others}" if others else "")


def print_report(console: Console, report: CleanReport) -> None:
    if report.skipped:
        console.print("[yellow]Another clean is running (on this or another broker instance); nothing done.[/yellow]")
        return
    verb = "To delete" if report.dry_run else "Deleted"
    versions = Table(title="Versions" + (" (dry run: nothing deleted)" if report.dry_run else ""))
    for column in ("Pacticipant", verb, "Oldest", "Newest", "Kept"):
        versions.add_column(column, justify="right" if column in (verb, "Kept") else "left")
    for item in sorted(report.pacticipants.values(), key=lambda found: found.name.lower()):
        versions.add_row(item.name, str(item.deleted), item.first or "", item.last or "", str(item.kept))
    console.print(versions)
    others = Table(title="Other data")
    others.add_column("What")
    others.add_column(verb, justify="right")
    for name, count in report.deleted.items():
        others.add_row(name, str(count))
    console.print(others)
    if report.kept_by_selector:
        kept = Table(title="Versions each keep selector names")
        kept.add_column("Selector")
        kept.add_column("Versions", justify="right")
        for selector, count in report.kept_by_selector:
            kept.add_row(json.dumps(selector), str(count))
        console.print(kept)
    console.print(summary(report).capitalize() + ".", highlight=False)
