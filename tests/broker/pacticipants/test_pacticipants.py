"""Pacticipants: created on first mention, described, updated, labelled and deleted."""

from __future__ import annotations

from tests.broker.support import BrokerClient


def test_publishing_creates_both_pacticipants_with_generated_display_names(broker: BrokerClient) -> None:
    broker.publish("shopping-web", "1", "UserService")
    listing = broker.get("/pacticipants").json()
    names = {(p["name"], p["displayName"]) for p in listing["pacticipants"]}
    assert names == {("shopping-web", "Shopping Web"), ("UserService", "User Service")}
    assert listing["_embedded"]["pacticipants"] == listing["pacticipants"]


def test_create_describe_and_patch_a_pacticipant(broker: BrokerClient) -> None:
    created = broker.post("/pacticipants", {"name": "billing", "repositoryUrl": "https://git/billing"})
    assert created.status_code == 201
    assert created.headers["location"].endswith("/pacticipants/billing")
    patched = broker.patch("/pacticipants/billing", {"mainBranch": "trunk", "displayName": "Billing"})
    assert patched.status_code == 200
    body = broker.get("/pacticipants/billing").json()
    assert body["mainBranch"] == "trunk"
    assert body["repositoryUrl"] == "https://git/billing", "PATCH keeps fields it was not given"
    links = body["_links"]
    assert links["pb:branch-version"]["href"].endswith("/pacticipants/billing/branches/{branch}/versions/{version}")
    assert links["pb:version-tag"]["templated"] is True


def test_put_replaces_fields_and_creates_missing_pacticipants(broker: BrokerClient) -> None:
    assert broker.put("/pacticipants/ledger", {"mainBranch": "main", "repositoryUrl": "https://x"}).status_code == 201
    assert broker.put("/pacticipants/ledger", {"mainBranch": "develop"}).status_code == 200
    body = broker.get("/pacticipants/ledger").json()
    assert body["mainBranch"] == "develop"
    assert body["repositoryUrl"] is None


def test_creating_an_existing_pacticipant_conflicts(broker: BrokerClient) -> None:
    broker.post("/pacticipants", {"name": "dup"})
    response = broker.post("/pacticipants", {"name": "dup"})
    assert response.status_code == 409
    assert response.json()["errors"]


def test_main_branch_is_detected_from_the_first_conventional_branch(broker: BrokerClient) -> None:
    broker.publish("web", "1", branch="feature/x")
    assert broker.get("/pacticipants/web").json()["mainBranch"] is None
    broker.publish("web", "2", branch="main")
    assert broker.get("/pacticipants/web").json()["mainBranch"] == "main"


def test_unknown_pacticipant_is_a_json_404(broker: BrokerClient) -> None:
    response = broker.get("/pacticipants/nobody")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert "nobody" in response.json()["errors"][0]


def test_deleting_a_pacticipant_removes_its_pacts(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api")
    assert broker.delete("/pacticipants/web").status_code == 200
    assert broker.get("/pacts/provider/api/consumer/web/latest").status_code == 404
    assert [p["name"] for p in broker.get("/pacticipants").json()["pacticipants"]] == ["api"]


def test_labels_select_pacticipants(broker: BrokerClient) -> None:
    assert broker.put("/pacticipants/web/labels/frontend").status_code == 201
    assert broker.put("/pacticipants/web/labels/frontend").status_code == 200
    broker.put("/pacticipants/api")
    labelled = broker.get("/pacticipants/label/frontend").json()["pacticipants"]
    assert [p["name"] for p in labelled] == ["web"]
    assert broker.delete("/pacticipants/web/labels/frontend").status_code == 200
    assert broker.get("/pacticipants/web/labels/frontend").status_code == 404


def test_invalid_names_are_refused_with_field_errors(broker: BrokerClient) -> None:
    for name in ["", "  ", "line\nbreak", "x" * 300, ".."]:
        response = broker.post("/pacticipants", {"name": name})
        assert response.status_code == 400, name
        assert "name" in response.json()["errors"]
