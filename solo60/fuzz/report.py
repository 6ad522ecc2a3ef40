"""What a fuzz run shows: a table of operations, their cases' answers and failures, the new
findings, a JUnit file, the answers per operation as JSON, and the plain-text report published
as a provider contract's self-verification."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from rich.console import Group
from rich.table import Table
from rich.text import Text

from solo60.fuzz.baseline import BaselineEntry, Finding
from solo60.fuzz.results import ANSWER_CLASSES, OperationResult, TargetResult

REACHED_GOAL = 0.3
"""Below this share of cases answered other than 404, an operation's logic is barely fuzzed."""


def results_table(results: Sequence[TargetResult], *, title: str = "Fuzzing") -> Table:
    """One row per operation: cases run, their answers by class, the share that got past a 404,
    findings the baseline covers, and new ones by code."""
    table = Table(title=title, title_justify="left")
    table.add_column("target")
    table.add_column("operation")
    table.add_column("cases", justify="right")
    for name in ANSWER_CLASSES:
        table.add_column(name, justify="right")
    table.add_column("not 404", justify="right")
    table.add_column("known", justify="right")
    table.add_column("new failures")
    for result in results:
        for operation in sorted(result.operations.values(), key=lambda item: item.label):
            table.add_row(
                result.target,
                operation.label,
                str(operation.cases),
                *(str(operation.answers[name]) for name in ANSWER_CLASSES),
                _reached(operation),
                _known(operation),
                _failures(operation),
            )
        for error in result.errors:
            table.add_row(result.target, "(run)", *[""] * (len(ANSWER_CLASSES) + 3), Text(error, style="red"))
    return table


def answers_report(results: Sequence[TargetResult]) -> dict[str, dict[str, dict[str, int]]]:
    """What `--report json` writes: `{target: {"METHOD /path": {"cases": n, "2xx": n, "404": n, ...}}}`."""
    return {
        result.target: {
            label: result.operations[label].counts() for label in sorted(result.operations) if label != "run"
        }
        for result in results
    }


def write_json(results: Sequence[TargetResult], path: Path) -> Path:
    """The per-operation answers as JSON, for a dashboard or a script that tracks them run to run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(answers_report(results), indent=2) + "\n", encoding="utf-8")
    return path


def summary_table(results: Sequence[TargetResult]) -> Table:
    """One row per target, for the pipeline: operations, cases, stateful scenarios, time, verdict."""
    table = Table(title="Fuzzing", title_justify="left")
    for column, justify in (
        ("target", "left"),
        ("operations", "right"),
        ("cases", "right"),
        ("scenarios", "right"),
        ("known", "right"),
        ("new", "right"),
        ("seconds", "right"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for result in results:
        new = len(result.new) + len(result.errors) + sum(len(op.errors) for op in result.operations.values())
        table.add_row(
            result.target,
            str(len(result.operations)),
            str(result.cases),
            str(result.scenarios),
            str(len(result.known)),
            Text(str(new), style="red" if new else "green"),
            f"{result.seconds:.1f}",
        )
    return table


def findings_text(results: Sequence[TargetResult]) -> Group:
    """Each new finding with the answer that made it and a curl command that reproduces it."""
    parts: list[Text] = []
    for result in results:
        for finding in result.new:
            parts.append(
                Text(f"{finding.target} {finding.operation}: {finding.code} {finding.title}", style="bold red")
            )
            answered = f"answered {finding.status}" + (f" {finding.error}" if finding.error else "")
            fields = f" ({', '.join(sorted(finding.fields))})" if finding.fields else ""
            parts.append(Text(f"  {answered}{fields}: {_shortened(finding.answer, 300)}"))
            if finding.message:
                parts.append(Text("  " + finding.message.splitlines()[0]))
            if finding.reproduce:
                parts.append(Text("  " + _shortened(finding.reproduce), style="dim"))
        for operation in result.operations.values():
            for error in operation.errors:
                parts.append(Text(f"{result.target} {operation.label}: {error}", style="bold red"))
    return Group(*parts)


def unused_text(entries: Sequence[BaselineEntry]) -> Text:
    lines = [f"  {entry.label} ({entry.verdict})" for entry in entries]
    return Text(
        "\n".join(["baseline entries this run did not meet (fixed, or out of its reach):", *lines]), style="dim"
    )


def report_text(results: Sequence[TargetResult], *, title: str) -> str:
    """The run as plain text: the table and every new finding, for a provider contract's
    self-verification report (what the broker shows beside the published document)."""
    from rich.console import Console

    console = Console(record=True, width=160, file=io.StringIO(), color_system=None)
    console.print(results_table(results, title=title))
    if not all(result.ok for result in results):
        console.print(findings_text(results))
    cases = sum(result.cases for result in results)
    verdict = "no new findings" if all(result.ok for result in results) else "new findings"
    console.print(f"{verdict} in {cases} cases", markup=False)
    return console.export_text()


def write_junit(results: Sequence[TargetResult], path: Path) -> Path:
    """One test suite per target and one test case per operation; a failure per new finding."""
    suites = ET.Element("testsuites", name="solo60 fuzz")
    for result in results:
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=f"fuzz.{result.target}",
            tests=str(len(result.operations)),
            failures=str(sum(not operation.ok for operation in result.operations.values())),
            errors=str(len(result.errors)),
            time=f"{result.seconds:.3f}",
        )
        for operation in sorted(result.operations.values(), key=lambda item: item.label):
            _junit_case(suite, result.target, operation)
        for error in result.errors:
            case = ET.SubElement(suite, "testcase", classname=f"fuzz.{result.target}", name="(run)")
            ET.SubElement(case, "error", message=_xml_safe(error))
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
    return path


def _junit_case(suite: ET.Element, target: str, operation: OperationResult) -> None:
    case = ET.SubElement(suite, "testcase", classname=f"fuzz.{target}", name=operation.label)
    for finding in operation.new:
        failure = ET.SubElement(case, "failure", message=f"{finding.code} {finding.title}", type=finding.code)
        failure.text = _xml_safe(_finding_detail(finding))
    for error in operation.errors:
        ET.SubElement(case, "error", message=_xml_safe(error))
    out = ET.SubElement(case, "system-out")
    out.text = f"{operation.cases} cases; {len(operation.known)} findings covered by the baseline"


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    """Fuzzed input is full of characters XML 1.0 cannot hold; they are written as escapes instead."""
    return _NOT_XML.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def _finding_detail(finding: Finding) -> str:
    return "\n".join(
        part
        for part in (
            f"answered {finding.status} {finding.error or ''}".strip(),
            finding.answer[:2000],
            finding.message,
            finding.reproduce,
        )
        if part
    )


def _shortened(text: str, limit: int = 600) -> str:
    """A curl line fuzzed bodies can make kilobytes long; the JUnit report keeps it whole."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text) - limit} more characters)"


def _reached(operation: OperationResult) -> Text:
    """The share of cases answered other than 404; flagged when Schemathesis would warn of missing test data."""
    if not operation.cases:
        return Text("")
    share = f"{operation.reached:.0%}"
    if operation.missing_test_data:
        return Text(f"{share} missing test data", style="yellow")
    return Text(share, style="yellow" if operation.reached < REACHED_GOAL else "")


def _known(operation: OperationResult) -> str:
    return str(len(operation.known)) if operation.known else ""


def _failures(operation: OperationResult) -> Text:
    if operation.ok:
        return Text("none", style="green")
    codes = sorted({finding.code for finding in operation.new})
    text = ", ".join(codes)
    if operation.errors:
        text = ", ".join(filter(None, [text, f"{len(operation.errors)} errors"]))
    return Text(text, style="red")
