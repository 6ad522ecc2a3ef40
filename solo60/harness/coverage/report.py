"""The coverage map as tables (one per provider, then what nobody uses), JSON, or one HTML page."""

from __future__ import annotations

import html
import json
from typing import Any, TextIO


def write_json(out: TextIO, coverage: dict[str, Any]) -> None:
    out.write(json.dumps(coverage, indent=2) + "\n")


def _uses(status: dict[str, Any]) -> str:
    return ", ".join(sorted({f"{use['consumer']} ({use['verified']})" for use in status["interactions"]})) or "-"


def _reads(status: dict[str, Any]) -> str:
    read = [item["field"] for item in status["fields"] if item["readBy"]]
    return ", ".join(read) or "-"


def _fuzzed(operation: dict[str, Any]) -> str:
    return {True: "yes", False: "no", None: "unknown"}[operation.get("fuzzed")]


def write_table(out: TextIO, coverage: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    probe = Console(file=out)
    console = Console(file=out, width=probe.width if probe.is_terminal else 160)
    console.print(f"Coverage of {escape(coverage.get('source', 'the contracts'))}", soft_wrap=True)
    for provider in coverage["providers"]:
        table = Table(title=escape(f"{provider['provider']}: consumers {', '.join(provider['consumers']) or 'none'}"))
        for column in ("operation", "status", "interactions", "used by (verified)", "fields read", "fuzzed"):
            table.add_column(column, overflow="fold")
        for operation in provider["operations"]:
            for status in operation["statuses"]:
                if not status["used"]:
                    continue
                table.add_row(
                    escape(operation["operation"]),
                    status["status"],
                    str(len(status["interactions"])),
                    escape(_uses(status)),
                    escape(_reads(status)),
                    _fuzzed(operation),
                )
        console.print(table)
        unused = provider["unused"]
        for label, items in (
            ("operations no consumer uses", unused["operations"]),
            ("statuses no consumer expects", unused["statuses"]),
            ("success fields no consumer reads", unused["fields"]),
        ):
            if items:
                console.print(f"  [dim]{label} ({len(items)}):[/dim] {escape('; '.join(items))}", soft_wrap=True)


def html_page(coverage: dict[str, Any]) -> str:
    """One self-contained page: a table per provider, unused items listed under it."""
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>Contract coverage</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1em}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
        ".unused{color:#888}</style></head><body>",
        f"<h1>Contract coverage</h1><p>{html.escape(coverage.get('source', ''))}</p>",
    ]
    for provider in coverage["providers"]:
        name = html.escape(provider["provider"])
        parts.append(f"<h2 id='{name}'>{name}</h2>")
        parts.append(f"<p>consumers: {html.escape(', '.join(provider['consumers']) or 'none')}</p>")
        parts.append(
            "<table><tr><th>operation</th><th>status</th><th>interactions</th><th>used by (verified)</th>"
            "<th>fields read</th><th>fields nobody reads</th><th>fuzzed</th></tr>"
        )
        for operation in provider["operations"]:
            for status in operation["statuses"]:
                unread = ", ".join(item["field"] for item in status["fields"] if not item["readBy"]) or "-"
                css = "" if status["used"] else " class='unused'"
                interactions = "<br>".join(
                    html.escape(f"{use['consumer']} {use['version']}: {use['interaction']} ({use['verified']})")
                    for use in status["interactions"]
                )
                parts.append(
                    f"<tr{css}><td>{html.escape(operation['operation'])}</td><td>{html.escape(status['status'])}</td>"
                    f"<td>{interactions or 'none'}</td><td>{html.escape(_uses(status))}</td>"
                    f"<td>{html.escape(_reads(status))}</td><td>{html.escape(unread)}</td>"
                    f"<td>{_fuzzed(operation)}</td></tr>"
                )
        parts.append("</table>")
        for label, items in provider["unused"].items():
            if items:
                parts.append(f"<p class='unused'>unused {html.escape(label)}: {html.escape('; '.join(items))}</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
