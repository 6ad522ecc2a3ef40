"""Environments: create, list, describe, update, delete."""

from __future__ import annotations

from tests.broker.support import BrokerClient


def test_environment_lifecycle(broker: BrokerClient) -> None:
    created = broker.post(
        "/environments",
        {"name": "prod-eu", "production": True, "contacts": [{"name": "Ops", "details": {"emailAddress": "o@x"}}]},
    )
    assert created.status_code == 201
    body = created.json()
    assert body["displayName"] == "Prod Eu"
    uuid = body["uuid"]
    assert broker.get(f"/environments/{uuid}").json()["contacts"][0]["name"] == "Ops"
    updated = broker.put(f"/environments/{uuid}", {"name": "prod-eu", "production": False, "displayName": "Europe"})
    assert updated.status_code == 200
    assert updated.json()["production"] is False
    listed = broker.get("/environments").json()["_embedded"]["environments"]
    assert [(e["name"], e["displayName"]) for e in listed] == [("prod-eu", "Europe")]
    assert broker.delete(f"/environments/{uuid}").status_code == 200
    assert broker.get(f"/environments/{uuid}").status_code == 404


def test_environment_names_are_unique_and_validated(broker: BrokerClient) -> None:
    broker.create_environment("test")
    assert broker.post("/environments", {"name": "test", "production": False}).status_code == 409
    bad = broker.post("/environments", {"name": "has space", "production": "yes"})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"name", "production"}
    assert broker.post("/environments", {"name": "x", "production": False, "contacts": [{}]}).status_code == 400
