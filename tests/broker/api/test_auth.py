"""Auth: open by default; basic auth read-write and read-only users, bearer tokens; read-only
may fetch and ask for pacts to verify but not change anything; 401/403 as JSON."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from broker.config import AuthSettings
from tests.broker.support import BrokerClient, encoded, pact_document

AUTH = AuthSettings(
    username="writer",
    password="w-pass",
    read_only_username="reader",
    read_only_password="r-pass",
    tokens=("rw-token",),
    read_only_tokens=("ro-token",),
)
WRITER = {"auth": ("writer", "w-pass")}
READER = {"auth": ("reader", "r-pass")}


@pytest.fixture
def secured(start_broker) -> Iterator[BrokerClient]:
    with start_broker(auth=AUTH) as client:
        yield client


def _publish_body() -> dict:
    return {
        "pacticipantName": "web",
        "pacticipantVersionNumber": "1",
        "contracts": [{"consumerName": "web", "providerName": "api", "content": encoded(pact_document("web", "api"))}],
    }


def test_the_default_broker_needs_no_credentials(broker: BrokerClient) -> None:
    assert broker.post("/pacticipants", {"name": "x"}).status_code == 201


def test_without_credentials_everything_but_health_is_401(secured: BrokerClient) -> None:
    response = secured.get("/pacticipants")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Basic realm="Restricted area"'
    assert response.json()["errors"]
    assert secured.get("/health").status_code == 200
    assert secured.get("/pacticipants", auth=("writer", "wrong")).status_code == 401
    assert secured.get("/pacticipants", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert secured.get("/pacticipants", headers={"Authorization": "Basic %%%"}).status_code == 401


def test_read_write_user_and_token_may_publish(secured: BrokerClient) -> None:
    assert secured.http.post("/contracts/publish", json=_publish_body(), **WRITER).status_code == 200
    token = {"Authorization": "Bearer rw-token"}
    assert secured.http.put("/pacticipants/web/versions/1/tags/prod", json={}, headers=token).status_code == 201


def test_read_only_may_read_and_fetch_pacts_for_verification_but_not_write(secured: BrokerClient) -> None:
    secured.http.post("/contracts/publish", json=_publish_body(), **WRITER)
    assert secured.http.get("/pacticipants", **READER).status_code == 200
    for_verification = secured.http.post("/pacts/provider/api/for-verification", json={}, **READER)
    assert for_verification.status_code == 200
    assert for_verification.json()["_embedded"]["pacts"]
    publish = secured.http.post("/contracts/publish", json=_publish_body(), **READER)
    assert publish.status_code == 403
    assert publish.json()["errors"]
    pact = secured.http.get("/pacts/provider/api/consumer/web/version/1", **READER).json()
    result = secured.http.post(
        pact["_links"]["pb:publish-verification-results"]["href"],
        json={"success": True, "providerApplicationVersion": "1"},
        **READER,
    )
    assert result.status_code == 403
    token = {"Authorization": "Bearer ro-token"}
    assert secured.http.get("/pacticipants", headers=token).status_code == 200
    assert secured.http.put("/pacticipants/web/versions/1/tags/x", json={}, headers=token).status_code == 403


def test_public_read_lets_anonymous_clients_read(start_broker) -> None:
    from dataclasses import replace

    with start_broker(auth=replace(AUTH, allow_public_read=True)) as client:
        assert client.get("/pacticipants").status_code == 200
        assert client.post("/pacticipants", {"name": "x"}).status_code == 401
        assert isinstance(client.http, httpx.Client)
