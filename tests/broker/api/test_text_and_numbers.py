"""Unpaired surrogates and huge numbers, on every route the broker's OpenAPI document lists.

A JSON string may spell a lone UTF-16 surrogate (`"x\\udfff"`), which no database can store and
no answer can carry; a number of thousands of digits is past Python's `int()` limit. Each is a
400 naming the field or parameter, on every route, never a 500.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broker.api.openapi import build_document
from broker.api.requests import parse_json
from broker.api.resources import build_router
from broker.config import BrokerSettings
from broker.errors import InvalidInputError
from tests.broker.conftest import TEST_WEBHOOKS
from tests.broker.support import BrokerClient, interaction, pact_document

DOCUMENT = build_document(build_router(), BrokerSettings(webhooks=TEST_WEBHOOKS))
HUGE = "9" * 5000
LONE = b"x\\udfff"


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, operations in DOCUMENT["paths"].items()
        for method, operation in operations.items()
        if isinstance(operation, dict) and "responses" in operation
    ]


IGNORES_ITS_BODY = {("POST", "/webhooks/{uuid}/execute")}  # runs the saved webhook; any body is unread

BODY_OPERATIONS = [(method, path) for method, path, operation in _operations() if "requestBody" in operation]
PAGED_OPERATIONS = [
    (method, path, name)
    for method, path, operation in _operations()
    for name in ("page", "size", "pageSize", "limit")
    if any(
        parameter.get("name") == ("size" if name == "pageSize" else name)
        for parameter in operation.get("parameters", [])
    )
]


@pytest.fixture(scope="module")
def seeded(start_broker) -> Iterator[tuple[BrokerClient, dict[str, str]]]:
    """A broker holding one of everything a path can name, and the values to name them by."""
    with start_broker() as client:
        client.publish("web", "1", "api", branch="main", tags=["prod"])
        client.verify("api", "web", "1", "10", branch="main")
        deployed = client.record_deployment("api", "10", "prod")
        released = client.record_release("web", "1", "prod")
        assert client.put("/pacticipants/web/labels/team").status_code in (200, 201)
        webhook = client.post(
            "/webhooks",
            {"events": [{"name": "contract_published"}], "request": {"method": "POST", "url": "http://127.0.0.1:1/"}},
        )
        assert webhook.status_code == 201, webhook.text
        pact = client.pact("api", "web", "1")
        version_href = pact["_links"]["pb:publish-verification-results"]["href"]
        sha = re.search(r"/pact-version/([^/]+)/", version_href).group(1)  # type: ignore[union-attr]
        found = client.for_verification("api", {"consumerVersionSelectors": [{"mainBranch": True}]})
        metadata_href = found["_embedded"]["pacts"][0]["_links"]["self"]["href"]
        values = {
            "pacticipant": "web",
            "consumer": "web",
            "provider": "api",
            "version": "1",
            "consumerVersion": "1",
            "tag": "prod",
            "branch": "main",
            "label": "team",
            "environment": "prod",
            "sha": sha,
            "metadata": metadata_href.rsplit("/metadata/", 1)[-1] if "/metadata/" in metadata_href else "e30",
            "number": "1",
            "rel": "pacticipants",
            "to": "prod",
            "environment-uuid": client.environment_uuid("prod"),
            "deployed-uuid": deployed["uuid"],
            "released-uuid": released["uuid"],
            "webhook-uuid": webhook.json()["uuid"],
        }
        yield client, values


def _concrete(path: str, values: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "uuid":
            prefix = path[: match.start()]
            kind = (
                "deployed"
                if "deployed-versions/" in prefix and "environment" not in prefix
                else "released"
                if "released-versions/" in prefix and "environment" not in prefix
                else "webhook"
                if "webhooks" in prefix
                else "environment"
            )
            return values[f"{kind}-uuid"]
        return values[name]

    return re.sub(r"\{(\w+)\}", value, path)


def _assert_names(response, field: str, key: str | None = None) -> None:
    """A JSON 400 whose errors, under `key` (default: the field), name the field and the problem."""
    assert response.status_code == 400, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json")
    errors = response.json()["errors"]
    assert (key or field) in errors, errors
    message = errors[key or field][0]
    if "surrogate" in message:
        assert message.startswith(f"{field} contains an unpaired UTF-16 surrogate"), message
    else:
        assert "whole number" in message or "from 1 to" in message, message


@pytest.mark.parametrize(("method", "path"), BODY_OPERATIONS, ids=[f"{m} {p}" for m, p in BODY_OPERATIONS])
def test_every_json_body_with_an_unpaired_surrogate_is_a_400_naming_the_field(
    seeded: tuple[BrokerClient, dict[str, str]], method: str, path: str
) -> None:
    client, values = seeded
    response = client.http.request(
        method,
        _concrete(path, values),
        content=b'{"note": "' + LONE + b'"}',
        headers={"Content-Type": "application/json"},
    )
    if (method, path) in IGNORES_ITS_BODY:
        assert response.status_code < 500, response.text
        return
    _assert_names(response, "note")


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/pacticipants", {"name": "SURROGATE"}, "name"),
        (
            "/contracts/publish",
            {"pacticipantName": "web", "pacticipantVersionNumber": "2", "tags": ["ok", "SURROGATE"], "contracts": []},
            "tags.1",
        ),
        (
            "/webhooks",
            {"request": {"method": "POST", "url": "http://127.0.0.1:1/", "headers": {"X-Token": "SURROGATE"}}},
            "request.headers.X-Token",
        ),
        (
            "/pacts/provider/api/for-verification",
            {"consumerVersionSelectors": [{"branch": "SURROGATE"}]},
            "consumerVersionSelectors.0.branch",
        ),
    ],
)
def test_the_field_named_is_the_one_holding_the_surrogate(
    seeded: tuple[BrokerClient, dict[str, str]], path: str, body: dict[str, Any], field: str
) -> None:
    client, _ = seeded
    raw = json.dumps(body).replace("SURROGATE", "x\\udfff").encode()
    _assert_names(client.http.post(path, content=raw, headers={"Content-Type": "application/json"}), field)


def test_a_surrogate_inside_published_pact_content_names_the_interaction(
    seeded: tuple[BrokerClient, dict[str, str]],
) -> None:
    client, _ = seeded
    text = json.dumps(pact_document("web", "api", interaction("SURROGATE"))).replace("SURROGATE", "a\\ud800")
    body = {
        "pacticipantName": "web",
        "pacticipantVersionNumber": "3",
        "contracts": [
            {
                "consumerName": "web",
                "providerName": "api",
                "specification": "pact",
                "contentType": "application/json",
                "content": base64.b64encode(text.encode()).decode(),
            }
        ],
    }
    _assert_names(
        client.post("/contracts/publish", body), "contracts.0.content.interactions.0.description", key="contracts.0"
    )
    assert client.get("/pacticipants/web/versions/3").status_code == 404


def test_a_surrogate_in_a_provider_contract_document_is_refused(seeded: tuple[BrokerClient, dict[str, str]]) -> None:
    client, _ = seeded
    document = '{"openapi": "3.0.3", "info": {"title": "a\\udfff", "version": "1"}, "paths": {}}'
    body = {
        "pacticipantVersionNumber": "11",
        "contract": {"content": base64.b64encode(document.encode()).decode(), "contentType": "application/json"},
    }
    _assert_names(client.post("/provider-contracts/provider/api/publish", body), "contract.content.info.title")


@pytest.mark.parametrize(
    ("method", "path", "name"), PAGED_OPERATIONS, ids=[f"{m} {p} {n}" for m, p, n in PAGED_OPERATIONS]
)
def test_page_size_and_limit_past_the_int_parsing_limit_are_a_400_naming_them(
    seeded: tuple[BrokerClient, dict[str, str]], method: str, path: str, name: str
) -> None:
    client, values = seeded
    params = {name: HUGE}
    if path == "/matrix":
        params.update({"q[][pacticipant]": "web", "q[][version]": "1"})
    _assert_names(client.http.request(method, _concrete(path, values), params=params), name)


def test_a_verification_number_of_thousands_of_digits_is_a_400(seeded: tuple[BrokerClient, dict[str, str]]) -> None:
    client, values = seeded
    path = f"/pacts/provider/api/consumer/web/pact-version/{values['sha']}/verification-results/{HUGE}"
    _assert_names(client.get(path), "number")


def test_the_paged_and_body_routes_cover_the_whole_document() -> None:
    assert len(BODY_OPERATIONS) >= 30
    assert {name for _, _, name in PAGED_OPERATIONS} == {"page", "size", "pageSize", "limit"}


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(value=st.dictionaries(st.text(min_size=1, max_size=4), JSON_VALUES, min_size=1, max_size=3), data=st.data())
def test_the_surrogate_is_named_wherever_it_sits(value: dict[str, Any], data: st.DataObject) -> None:
    # Walk to a random place and put a lone surrogate there; the error must name that place.
    path: list[str] = []
    node: Any = value
    while True:
        if isinstance(node, dict) and node:
            key = data.draw(st.sampled_from(sorted(node)))
        elif isinstance(node, list) and node:
            key = data.draw(st.integers(0, len(node) - 1))
        else:
            break
        if not isinstance(node[key], (dict, list)) or not node[key] or data.draw(st.booleans()):
            node[key] = "\udfff"
            path.append(str(key))
            break
        path.append(str(key))
        node = node[key]
    if not path:
        return
    raw = json.dumps(value).encode()  # ensure_ascii spells the surrogate as \udfff
    with pytest.raises(InvalidInputError) as refused:
        parse_json(raw)
    assert list(refused.value.errors) == [".".join(path)]


def test_an_answer_that_cannot_be_rendered_is_the_logged_json_500(caplog: pytest.LogCaptureFixture) -> None:
    from broker.api.application import _rendered
    from broker.api.responses import ok

    response, body = _rendered(ok({"name": "x\udfff"}), "GET", "/pacticipants/x")
    assert response.status == 500
    assert json.loads(body) == {"errors": ["An unexpected error occurred in the broker; it has been logged"]}
    assert "could not render" in caplog.text
