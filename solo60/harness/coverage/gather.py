"""Where the coverage map's inputs come from.

Offline: the working tree's contracts (as `solo60 services openapi` renders them), the pacts in
`pacts/` (each interaction verified by comparing it with the document; a provider's own
verification is the broker's to know) and, when a fuzz run left its JUnit report
(`solo60 fuzz --report junit` writes `reports/fuzz-junit.xml`), the operations it reached.
With a broker: the broker's `/coverage` resource, which computes the same map from the
provider contracts and pacts published to it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from broker.provider_contracts.coverage import PactUse, provider_coverage
from solo60.harness.breaking.consumers import local_pacts
from solo60.harness.breaking.documents import working_tree_documents
from solo60.harness.broker_access import BrokerAccess

DEFAULT_FUZZ_REPORT = Path("reports") / "fuzz-junit.xml"


class CoverageInputError(RuntimeError):
    """An input cannot be read; the message says which."""


def fuzzed_operations(report: Path) -> dict[str, set[str]]:
    """Target -> operations (`GET /internal/users/{userId}`) a fuzz run sent at least one case to."""
    try:
        root = ET.parse(report).getroot()
    except (OSError, ET.ParseError) as problem:
        raise CoverageInputError(f"cannot read the fuzz report {report}: {problem}") from None
    reached: dict[str, set[str]] = {}
    for case in root.iter("testcase"):
        target = str(case.get("classname", "")).removeprefix("fuzz.")
        out = case.findtext("system-out") or ""
        cases = int(out.split(" ", 1)[0]) if out[:1].isdigit() else 0
        if cases > 0 and case.get("name") != "(run)":
            reached.setdefault(target, set()).add(str(case.get("name")))
    return reached


def offline_coverage(repo: Path, pacts_dir: Path, fuzz_report: Path | None) -> dict[str, Any]:
    documents = working_tree_documents(repo)
    fuzzed = fuzzed_operations(fuzz_report) if fuzz_report is not None else None
    providers = []
    for name, document in documents.items():
        pacts = [PactUse(pact.consumer, pact.version, pact.content) for pact in local_pacts(pacts_dir, name)]
        providers.append(provider_coverage(name, document, pacts, None if fuzzed is None else fuzzed.get(name, set())))
    return {
        "source": f"the working tree's contracts and {pacts_dir}",
        "fuzzReport": str(fuzz_report) if fuzz_report is not None else None,
        "providers": providers,
    }


def broker_coverage(access: BrokerAccess) -> dict[str, Any]:
    with access.client() as client:
        found = client.get("/coverage")
    found.pop("_links", None)
    return found
