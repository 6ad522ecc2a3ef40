"""Publishing provider contracts as the official clients do: the Rust CLI's
`pact pactflow publish-provider-contract` against our broker unmodified, the body it sends, the
older PUT, documents stored once per SHA, and clear 400s for what cannot be a contract."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from pathlib import Path

import sqlalchemy as sa
import yaml

from broker.provider_contracts.tables import provider_contract_contents
from tests.broker.provider_contracts.shop import shop
from tests.broker.support import PACT_BINARY, BrokerClient, segment

SCHEMATHESIS_REPORT = "Schemathesis: 12 operations, 600 test cases, 0 failures\n"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def publish_body(document: str, version: str = "1.0.0", **verification: object) -> dict[str, object]:
    return {
        "pacticipantVersionNumber": version,
        "branch": "main",
        "tags": ["prod"],
        "buildUrl": "http://ci.example/build/1",
        "contract": {
            "content": b64(document),
            "contentType": "application/yaml",
            "specification": "oas",
            "selfVerificationResults": {
                "success": True,
                "content": b64(SCHEMATHESIS_REPORT),
                "contentType": "text/plain",
                "format": "text",
                "verifier": "schemathesis",
                "verifierVersion": "4.32",
                **verification,
            },
        },
    }


def contract_path(provider: str, version: str, tail: str = "provider-contract") -> str:
    return f"/contracts/bi-directional/provider/{segment(provider)}/version/{segment(version)}/{tail}"


def test_the_official_cli_publishes_a_provider_contract(broker: BrokerClient, tmp_path: Path) -> None:
    document = tmp_path / "shop.yaml"
    document.write_text(yaml.safe_dump(shop()))
    report = tmp_path / "schemathesis.txt"
    report.write_text(SCHEMATHESIS_REPORT)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PACT_BROKER_")}
    done = subprocess.run(
        [
            str(PACT_BINARY),
            "pactflow",
            "publish-provider-contract",
            str(document),
            "--provider",
            "shop",
            "--provider-app-version",
            "1.0.0",
            "--branch",
            "main",
            "--tag",
            "prod",
            "--content-type",
            "application/yaml",
            "--verification-success",
            "--verification-results",
            str(report),
            "--verification-results-content-type",
            "text/plain",
            "--verifier",
            "schemathesis",
            "-b",
            broker.url,
        ],
        capture_output=True,
        text=True,
        env={**env, "PACT_DO_NOT_TRACK": "true"},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Successfully published provider contract for shop version 1.0.0" in done.stdout

    contract = broker.get(contract_path("shop", "1.0.0")).json()
    assert contract["content"] == document.read_text()
    assert contract["specification"] == "oas"
    assert contract["contentType"] == "application/yaml"
    verification = broker.get(contract_path("shop", "1.0.0", "provider-contract-verification-results")).json()
    assert verification["success"] is True
    assert verification["verifier"] == "schemathesis"
    assert verification["content"] == SCHEMATHESIS_REPORT
    version = broker.get("/pacticipants/shop/versions/1.0.0").json()
    assert version["branch"] == "main"
    assert [tag["name"] for tag in version["_embedded"]["tags"]] == ["prod"]
    assert version["_links"]["pf:provider-contract"]["href"].endswith(contract_path("shop", "1.0.0"))


def test_the_index_names_the_publish_relation(broker: BrokerClient) -> None:
    relation = broker.get("/").json()["_links"]["pf:publish-provider-contract"]
    assert relation["href"] == f"{broker.url}/provider-contracts/provider/{{provider}}/publish"
    assert relation["templated"] is True


def test_the_publish_answer_is_what_the_clients_read(broker: BrokerClient) -> None:
    response = broker.post("/provider-contracts/provider/shop/publish", publish_body(json.dumps(shop())))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["_embedded"]["version"]["number"] == "1.0.0"
    assert body["notices"][0]["type"] == "success"
    assert body["_links"]["pb:pacticipant-version-tags"][0]["name"] == "prod"
    assert body["_links"]["pb:branch-version"]["name"] == "main"
    assert broker.get("/pacticipants/shop/versions/1.0.0").json()["buildUrl"] == "http://ci.example/build/1"


def test_a_document_is_stored_once_per_sha(broker: BrokerClient) -> None:
    text = json.dumps(shop())
    for version in ("1", "2", "3"):
        assert broker.post("/provider-contracts/provider/shop/publish", publish_body(text, version)).status_code == 200
    changed = shop()
    changed["info"]["version"] = "2"
    broker.post("/provider-contracts/provider/shop/publish", publish_body(json.dumps(changed), "4"))
    with broker.application.database.engine.connect() as connection:
        stored = connection.execute(sa.select(sa.func.count()).select_from(provider_contract_contents)).scalar()
    assert stored == 2
    assert json.loads(broker.get(contract_path("shop", "4")).json()["content"])["info"]["version"] == "2"


def test_republishing_a_version_replaces_its_self_verification(broker: BrokerClient) -> None:
    text = json.dumps(shop())
    broker.post("/provider-contracts/provider/shop/publish", publish_body(text, success=False))
    broker.post("/provider-contracts/provider/shop/publish", publish_body(text, success=True))
    verification = broker.get(contract_path("shop", "1.0.0", "provider-contract-verification-results")).json()
    assert verification["verificationStatus"] == "success"


def test_the_older_put_publishes_and_links_a_page(broker: BrokerClient) -> None:
    body = {
        "content": b64(json.dumps(shop())),
        "contractType": "oas",
        "contentType": "application/json",
        "verificationResults": {"success": True, "verifier": "schemathesis"},
    }
    first = broker.put("/contracts/provider/shop/version/2.0.0", body)
    again = broker.put("/contracts/provider/shop/version/2.0.0", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["_links"]["pf:ui"]["href"]
    assert broker.get(contract_path("shop", "2.0.0")).json()["selfVerificationResults"]["verifier"] == "schemathesis"


def test_what_cannot_be_a_contract_is_a_400_naming_the_field(broker: BrokerClient) -> None:
    cases = {
        "contract.content": publish_body("not: [an openapi document"),
        "contract.specification": {**publish_body("{}"), "contract": {"content": b64("{}"), "specification": "pact"}},
        "pacticipantVersionNumber": {"contract": {"content": b64(json.dumps(shop()))}},
    }
    cases["contract.content"]["contract"]["content"] = b64('{"swagger": "2.0"}')  # type: ignore[index]
    for field, body in cases.items():
        response = broker.post("/provider-contracts/provider/shop/publish", body)
        assert response.status_code == 400, (field, response.text)
        assert field in response.json()["errors"], (field, response.text)
    not_base64 = publish_body("{}")
    not_base64["contract"]["content"] = "%%%"  # type: ignore[index]
    assert broker.post("/provider-contracts/provider/shop/publish", not_base64).status_code == 400


def test_reading_a_version_without_a_contract_is_a_404(broker: BrokerClient) -> None:
    broker.publish("web", "1", "shop")
    assert broker.get(contract_path("shop", "9")).status_code == 404
    broker.put("/pacticipants/shop/versions/9", {})
    missing = broker.get(contract_path("shop", "9"))
    assert missing.status_code == 404
    assert "has no provider contract" in missing.text
