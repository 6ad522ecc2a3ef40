"""The pipeline's static stage: every pact compared with its provider's generated OpenAPI
document, no provider running. The project's pacts pass; a consumer expecting a field the
provider's contract never declares fails, naming the interaction and the field."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from solo60.cli.tables import mismatches_text, pairs_table
from solo60.harness.compared.static_check import StaticCheckError, compare_pacts, summary
from solo60.harness.made.pact_files import PactFile, pact_files

ROOT = Path(__file__).resolve().parents[3]
PAIRS = 11
GYM_FOUND = "a request for a gym that requires approval"


@pytest.fixture(scope="module")
def project_pacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("pacts")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "consumers", "-q", "-p", "no:randomly", "--pacts-dir", str(directory)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PACT_DO_NOT_TRACK": "true"},
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    return directory


def rendered(table: object) -> str:
    console = Console(width=200, record=True)
    console.print(table)
    return console.export_text()


def test_the_project_s_pacts_are_compatible_with_their_providers_documents(project_pacts: Path) -> None:
    pacts = pact_files(project_pacts)
    comparisons = compare_pacts(pacts)
    assert len(comparisons) == PAIRS
    assert [comparison.results for comparison in comparisons] == [[]] * PAIRS  # not even a warning
    assert summary(comparisons).startswith(f"{PAIRS}/{PAIRS} pacts")
    # communication's pacts with session and subscription hold only messages: their producers verify them
    by_pair = {comparison.pact.pair: comparison for comparison in comparisons}
    message_pairs = {pair for pair, comparison in by_pair.items() if comparison.messages}
    assert message_pairs == {"communication -> session", "communication -> subscription"}
    assert all(by_pair[pair].messages == by_pair[pair].pact.interactions for pair in message_pairs)
    assert "messages left to their producers' verification" in summary(comparisons)
    table = rendered(pairs_table(pacts, [], comparisons))
    assert table.count("compatible") == PAIRS - len(message_pairs)
    assert table.count("producer verifies") == len(message_pairs)


def test_a_field_the_provider_never_declares_fails_naming_the_interaction_and_the_field(
    project_pacts: Path, tmp_path: Path
) -> None:
    content = json.loads((project_pacts / "session-gym.json").read_text())
    [interaction] = [item for item in content["interactions"] if item["description"] == GYM_FOUND]
    interaction["response"]["body"]["content"]["nickname"] = "Fieldy"
    broken = tmp_path / "session-gym.json"
    broken.write_text(json.dumps(content))
    pact = PactFile("session", "gym", broken, len(content["interactions"]))
    others = [item for item in pact_files(project_pacts) if item.pair != pact.pair]

    comparisons = compare_pacts([pact, *others])

    [failing] = [comparison for comparison in comparisons if not comparison.ok]
    assert failing.pact == pact
    [error] = failing.errors
    assert error.code == "response.body.incompatible"
    assert error.mock.interaction_description == GYM_FOUND
    assert "nickname" in error.message
    text = mismatches_text(comparisons)
    assert text.startswith(f"session -> gym: '{GYM_FOUND}' given 'a gym requires approval' response.body.incompatible")
    assert "nickname" in text
    assert "1 error, first: session -> gym" in summary(comparisons)
    assert "1 error " in rendered(pairs_table([pact, *others], [], comparisons))


def test_a_provider_without_a_contract_cannot_be_compared(tmp_path: Path) -> None:
    path = tmp_path / "shop-warehouse.json"
    path.write_text(json.dumps({"consumer": {"name": "shop"}, "provider": {"name": "warehouse"}, "interactions": []}))
    with pytest.raises(StaticCheckError, match="no contract renders an OpenAPI document for provider 'warehouse'"):
        compare_pacts([PactFile("shop", "warehouse", path, 0)])
