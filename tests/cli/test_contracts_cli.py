"""`solo60 contracts compare`: the project's own pacts are compatible with the documents its
contracts generate; the output is one JSON line per pact or a table with a verdict per pact;
the exit status counts the pacts with errors; a wrong argument is one line and status 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from solo60.cli import main
from tests.broker.provider_contracts.shop import get_item, pact, shop

ROOT = Path(__file__).resolve().parents[2]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out, captured.err


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    written = {
        "oas": shop(),
        "good": pact(get_item()),
        "bad": pact(get_item(response_body={"id": 1, "name": "Lamp", "price": 3})),
        "worse": pact(get_item(path="/nothing"), get_item(request_headers={"x-tenant": "acme"})),
        "v2": pact(get_item(query={"expand": ["maybe"]}), version=2),
    }
    paths = {}
    for name, document in written.items():
        paths[name] = str(tmp_path / f"{name}.json")
        Path(paths[name]).write_text(json.dumps(document))
    return paths


def test_json_output_is_one_line_per_pact_and_the_status_counts_failing_pacts(
    files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        ["contracts", "compare", "--oas", files["oas"], "--json", files["good"], files["bad"], files["worse"]], capsys
    )
    lines = [json.loads(line) for line in out.splitlines()]
    assert status == 2
    assert [[result["code"] for result in line] for line in lines] == [
        [],
        ["response.body.incompatible"],
        ["request.path-or-method.unknown", "request.authorization.missing"],
    ]
    assert lines[1][0]["mockDetails"]["location"] == "[root].interactions[0].response.body"


def test_the_table_names_each_problem_and_gives_a_verdict_per_pact(
    files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(["contracts", "compare", "--oas", files["oas"], files["good"], files["v2"]], capsys)
    assert status == 1
    assert "request.query.incompatible" in out
    assert "[root].interactions[0].request.query.expand" in out
    verdicts = {line.split("│")[1].strip(): line for line in out.splitlines() if ".json" in line and "│" in line}
    assert "compatible" in verdicts["good.json"]
    assert "incompatible" not in verdicts["good.json"]
    assert "incompatible" in verdicts["v2.json"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["contracts", "compare", "x.json"],
            "error: the following arguments are required: --oas (see 'solo60 contracts compare --help')",
        ),
        (["contracts", "compare", "--oas", "{oas}"], "error: the following arguments are required: PACT"),
        (["contracts", "compare", "--oas", "{missing}", "{good}"], "error: cannot read OpenAPI document"),
        (["contracts", "compare", "--oas", "{oas}", "{missing}"], "error: cannot read pact"),
        (["contracts", "compare", "--oas", "{good}", "{good}"], "error: OpenAPI document"),
        (["contracts", "compare", "--oas", "{oas}", "{oas}"], "error: "),
    ],
)
def test_a_wrong_argument_is_one_line_and_status_2(
    argv: list[str], message: str, files: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = {**files, "missing": str(tmp_path / "missing.json")}
    status, out, err = run([part.format(**names) for part in argv], capsys)
    assert status == 2
    assert err.startswith(message)
    assert err.count("\n") == 1
    assert out == ""


def test_the_module_entry_point_is_the_same_command(files: dict[str, str]) -> None:
    """`python -m broker.provider_contracts.comparison`: the comparator without the harness."""
    done = subprocess.run(
        [sys.executable, "-m", "broker.provider_contracts.comparison", "--oas", files["oas"], "--json", files["bad"]],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 1
    assert [result["code"] for result in json.loads(done.stdout)] == ["response.body.incompatible"]
    missing = subprocess.run(
        [sys.executable, "-m", "broker.provider_contracts.comparison", files["good"]],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1
    assert "--oas" in missing.stderr


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


@pytest.mark.slow
def test_the_project_s_pacts_are_compatible_with_the_generated_documents(
    project_pacts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from solo60.contracts import all_contracts
    from solo60.contracts.openapi import openapi_document

    documents = {}
    for contract in all_contracts():
        documents[contract.service] = tmp_path / f"{contract.service}.openapi.json"
        documents[contract.service].write_text(json.dumps(openapi_document(contract)))
    pacts = sorted(project_pacts.glob("*.json"))
    assert len(pacts) == 11
    by_provider: dict[str, list[str]] = {}
    messages: dict[str, int] = {}
    for path in pacts:
        document = json.loads(path.read_text())
        kinds = {interaction.get("type") for interaction in document["interactions"]}
        if kinds == {"Asynchronous/Messages"}:
            messages[str(path)] = len(document["interactions"])
            continue
        by_provider.setdefault(document["provider"]["name"], []).append(str(path))
    for provider, paths in sorted(by_provider.items()):
        status, out, err = run(["contracts", "compare", "--oas", str(documents[provider]), "--json", *paths], capsys)
        assert (status, err) == (0, ""), f"{provider}: {out}"
        assert out.splitlines() == ["[]"] * len(paths)  # not even a warning
    # The message pacts (communication's, of the session and subscription events) say they were not checked.
    assert len(messages) == 2
    for path, count in messages.items():
        provider = json.loads(Path(path).read_text())["provider"]["name"]
        status, out, _ = run(["contracts", "compare", "--oas", str(documents[provider]), "--json", path], capsys)
        assert status == 1
        assert [item["code"] for item in json.loads(out)] == ["interaction.message.unchecked"] * count


def test_a_changed_contract_is_caught_statically(
    project_pacts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The gate bites without a provider running: a field the consumer reads, removed from the
    provider's document, fails the comparison and names the interaction and the field."""
    from solo60.contracts import all_contracts
    from solo60.contracts.openapi import openapi_document

    [gym] = [contract for contract in all_contracts() if contract.service == "gym"]
    document = openapi_document(gym)
    del document["components"]["schemas"]["Gym"]["properties"]["maxGuests"]
    (tmp_path / "gym.json").write_text(json.dumps(document))
    status, out, _ = run(
        [
            "contracts",
            "compare",
            "--oas",
            str(tmp_path / "gym.json"),
            "--json",
            str(project_pacts / "session-gym.json"),
        ],
        capsys,
    )
    results = json.loads(out)
    assert status == 1
    assert {result["code"] for result in results} == {"response.body.incompatible"}
    assert all(result["message"].endswith("must NOT have additional properties - maxGuests") for result in results)
    assert all(result["mockDetails"]["interactionDescription"] for result in results)
