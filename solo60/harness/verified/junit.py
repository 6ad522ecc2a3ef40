"""Verification results as JUnit XML: one test case per interaction, a failure naming the mismatch."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from pathlib import Path

from solo60.harness.verified.verification import VerificationReport


def write_junit(reports: Sequence[VerificationReport], path: Path) -> None:
    suites = ElementTree.Element("testsuites", name="pact verification")
    for report in reports:
        suite = ElementTree.SubElement(
            suites,
            "testsuite",
            name=f"verify {report.provider}",
            tests=str(len(report.interactions)),
            failures=str(len(report.failures)),
            skipped=str(len(report.pending_failures)),
        )
        for result in report.interactions:
            states = f" given {', '.join(result.states)}" if result.states else ""
            case = ElementTree.SubElement(
                suite, "testcase", classname=result.pair.replace(" -> ", ".to."), name=f"{result.description}{states}"
            )
            if result.ok:
                continue
            element = "skipped" if result.pending else "failure"
            first = result.mismatches[0].render() if result.mismatches else result.error or "failed"
            failure = ElementTree.SubElement(case, element, message=first)
            failure.text = result.render()
    path.parent.mkdir(parents=True, exist_ok=True)
    ElementTree.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
