"""Every result code: an interaction that raises it, and a near miss that does not, in pacts of
specification V2, V3 and V4. The near misses are the rules: security and request bodies only
matter for requests the provider should accept, header names are case-insensitive, a consumer
may read a subset of a response's fields, and so on."""

from __future__ import annotations

import json
from typing import Any

import pytest

from broker.provider_contracts.comparison import CODES, Comparator, document_from_text
from tests.broker.provider_contracts.shop import get_item, pact, ping, post_note, post_upload, put_item, shop

KEY = {"x-api-key": "key"}
GET_HEADERS = {**KEY, "x-tenant": "acme", "Accept": "application/json"}
JSON_RESPONSE = {"Content-Type": "application/json"}

RAISED_BY: dict[str, dict[str, Any]] = {
    "request.path-or-method.unknown": get_item(path="/nothing/here"),
    "request.authorization.missing": get_item(request_headers={"x-tenant": "acme"}),
    "request.accept.unknown": ping(request_headers={"Accept": "application/json"}),
    "request.accept.incompatible": get_item(request_headers={**GET_HEADERS, "Accept": "text/html"}),
    "request.content-type.unknown": get_item(request_headers={**GET_HEADERS, "Content-Type": "application/json"}),
    "request.content-type.incompatible": put_item(request_headers={**KEY, "Content-Type": "text/plain"}),
    "request.content-type.missing": put_item(request_headers=KEY),
    "request.header.incompatible": get_item(request_headers={**GET_HEADERS, "x-trace": "not-a-trace"}),
    "request.header.unknown": get_item(request_headers={**GET_HEADERS, "x-debug": "1"}),
    "request.query.incompatible": get_item(query={"expand": ["maybe"]}),
    "request.query.unknown": get_item(query={"expand": ["true"], "sort": ["name"]}),
    "request.body.unvalidatable": post_note(
        request_headers={**KEY, "Content-Type": "text/plain"}, request_body="remember the milk"
    ),
    "request.body.incompatible": put_item(request_body={"colour": "red"}),
    "request.body.unknown": post_upload(
        request_headers={**KEY, "Content-Type": "application/json"}, request_body={"file": "a.txt"}
    ),
    "response.content-type.unknown": ping(response_headers=JSON_RESPONSE),
    "response.content-type.incompatible": get_item(response_headers={"Content-Type": "text/html"}),
    "response.header.incompatible": get_item(response_headers={**JSON_RESPONSE, "x-rate": "many"}),
    "response.header.undefined": get_item(response_headers={**JSON_RESPONSE, "Cache-Control": "no-store"}),
    "response.header.unknown": get_item(response_headers={**JSON_RESPONSE, "x-shard": "3"}),
    "response.status.unknown": put_item(status=418, response_body=None),
    "response.status.default": get_item(status=500, response_body={"error": "boom"}),
    "response.body.unvalidatable": post_note(response_body="saved"),
    "response.body.unknown": ping(response_body={"alive": True}),
    "response.body.incompatible": get_item(response_body={"id": 1, "name": "Lamp", "price": 3}),
    "interaction.message.unchecked": {"type": "Asynchronous/Messages", "description": "an event", "contents": {}},
}

NOT_RAISED_BY: dict[str, dict[str, Any]] = {
    "request.path-or-method.unknown": get_item(path="/items/7"),
    "request.authorization.missing": get_item(request_headers={"x-tenant": "acme"}, status=404, response_body=None),
    "request.accept.unknown": ping(),
    "request.accept.incompatible": get_item(request_headers={**GET_HEADERS, "Accept": "*/*"}),
    "request.content-type.unknown": get_item(),
    "request.content-type.incompatible": put_item(
        request_headers={**KEY, "Content-Type": "application/json; charset=utf-8"}
    ),
    "request.content-type.missing": put_item(),
    "request.header.incompatible": get_item(request_headers={**KEY, "X-Tenant": "acme", "x-trace": "t-1"}),
    "request.header.unknown": get_item(request_headers={**GET_HEADERS, "User-Agent": "web/1"}),
    "request.query.incompatible": get_item(query={"expand": ["false"]}),
    "request.query.unknown": get_item(),
    "request.body.unvalidatable": post_note(),
    "request.body.incompatible": put_item(request_body={"colour": "red"}, status=400, response_body=None),
    "request.body.unknown": post_upload(),
    "response.content-type.unknown": ping(),
    "response.content-type.incompatible": get_item(
        response_headers={"Content-Type": "application/json; charset=utf-8"}
    ),
    "response.header.incompatible": get_item(response_headers={**JSON_RESPONSE, "X-Rate": "7"}),
    "response.header.undefined": get_item(),
    "response.header.unknown": get_item(response_headers={**JSON_RESPONSE, "X-RATE": "5"}),
    "response.status.unknown": get_item(status=404, response_body={"error": "missing"}),
    "response.status.default": get_item(status=404, response_body={"error": "missing"}),
    "response.body.unvalidatable": post_note(),
    "response.body.unknown": ping(),
    "response.body.incompatible": get_item(response_body={"id": 1}),
    "interaction.message.unchecked": get_item(),
}

VERSIONS = [2, 3, 4]


@pytest.fixture(scope="module")
def comparator() -> Comparator:
    return Comparator(document_from_text(json.dumps(shop())))


def codes(comparator: Comparator, interaction: dict[str, Any], version: int) -> list[str]:
    if "type" in interaction:  # a message: no HTTP request to render
        document = {**pact(version=version), "interactions": [interaction]}
    else:
        document = pact(interaction, version=version)
    return [result.code for result in comparator.compare(document)]


def test_the_tables_cover_every_code() -> None:
    assert set(RAISED_BY) == set(CODES) == set(NOT_RAISED_BY)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("code", sorted(RAISED_BY))
def test_an_interaction_that_breaks_the_rule_raises_the_code(comparator: Comparator, code: str, version: int) -> None:
    assert code in codes(comparator, RAISED_BY[code], version)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("code", sorted(NOT_RAISED_BY))
def test_the_near_miss_does_not_raise_it(comparator: Comparator, code: str, version: int) -> None:
    assert code not in codes(comparator, NOT_RAISED_BY[code], version)


@pytest.mark.parametrize("version", VERSIONS)
def test_compatible_interactions_give_no_result_at_all(comparator: Comparator, version: int) -> None:
    compatible = [get_item(), put_item(), ping(), post_note(), post_upload(), get_item(response_body={"id": 1})]
    assert comparator.compare(pact(*compatible, version=version)) == []


def test_path_parameters_are_validated_against_their_schemas(comparator: Comparator) -> None:
    for path in ("/items/0", "/items/lamp"):
        assert codes(comparator, get_item(path=path), 4) == ["request.path-or-method.unknown"]


def test_checks_run_in_the_reference_comparator_s_order(comparator: Comparator) -> None:
    messy = get_item(
        request_headers={"x-debug": "1", "Accept": "application/json"},
        query={"expand": ["true"], "sort": ["name"]},
        response_headers={**JSON_RESPONSE, "x-shard": "3"},
        response_body={"id": "one"},
    )
    assert codes(comparator, messy, 4) == [
        "request.authorization.missing",
        "request.header.incompatible",  # the required x-tenant is missing
        "request.header.unknown",
        "request.query.unknown",
        "response.header.unknown",
        "response.body.incompatible",
    ]


def test_an_unknown_route_ends_the_interaction_s_checks(comparator: Comparator) -> None:
    assert codes(comparator, get_item(path="/nothing", request_headers={}), 4) == ["request.path-or-method.unknown"]


def test_a_result_has_the_reference_comparator_s_shape(comparator: Comparator) -> None:
    [result] = comparator.compare(pact(get_item(response_body={"id": 1, "name": "Lamp", "price": 3})))
    assert result.as_json() == {
        "code": "response.body.incompatible",
        "type": "error",
        "message": "Response body is incompatible with the response body schema in the spec file: "
        "must NOT have additional properties - price",
        "mockDetails": {
            "interactionDescription": "a request for item 1",
            "interactionState": "item 1 exists",
            "location": "[root].interactions[0].response.body",
            "value": {"id": 1, "name": "Lamp", "price": 3},
        },
        "specDetails": {
            "location": "[root].paths./items/{itemId}.get.responses.200.content.application/json.schema"
            ".components.schemas.Item.additionalProperties",
            "pathName": "/items/{itemId}",
            "pathMethod": "get",
            "value": False,
        },
    }


def test_a_wrong_field_type_names_the_field(comparator: Comparator) -> None:
    [result] = comparator.compare(pact(get_item(response_body={"id": 1, "name": 7})))
    assert result.message.endswith(": must be string")
    assert result.mock.location == "[root].interactions[0].response.body.name"
    assert result.mock.value == 7


def test_nested_schemas_through_refs_are_closed_too(comparator: Comparator) -> None:
    body = {"id": 1, "name": "Lamp", "owner": {"email": "a@b.example", "phone": "1"}}
    assert codes(comparator, get_item(response_body=body), 4) == ["response.body.incompatible"]


def test_a_message_interaction_is_reported_unchecked_never_compatible(comparator: Comparator) -> None:
    document = pact(get_item())
    message = {"type": "Asynchronous/Messages", "description": "an event", "contents": {}}
    message["providerStates"] = [{"name": "a thing happened"}]
    document["interactions"].append(message)

    [result] = comparator.compare(document)

    assert (result.code, result.is_error) == ("interaction.message.unchecked", True)
    assert "only the provider's verification can count this pact" in result.message
    assert (result.mock.interaction_description, result.mock.interaction_state) == ("an event", "a thing happened")
    assert result.mock.location == "[root].interactions[1]"


def test_a_v3_message_pact_is_reported_unchecked_too(comparator: Comparator) -> None:
    document = {"consumer": {"name": "c"}, "provider": {"name": "p"}, "messages": [{"description": "an event"}]}

    assert [result.code for result in comparator.compare(document)] == ["interaction.message.unchecked"]


@pytest.mark.parametrize(
    ("media", "valid", "invalid"),
    [
        ("application/x-www-form-urlencoded", "title=Hi&pages=3", "pages=3"),
        (
            "multipart/form-data; boundary=XyZ",
            '--XyZ\r\nContent-Disposition: form-data; name="title"\r\n\r\nHi\r\n--XyZ--\r\n',
            '--XyZ\r\nContent-Disposition: form-data; name="pages"\r\n\r\n3\r\n--XyZ--\r\n',
        ),
    ],
)
def test_form_bodies_are_validated_as_the_objects_their_fields_make(media: str, valid: str, invalid: str) -> None:
    document = shop()
    schema = {"type": "object", "required": ["title"], "properties": {"title": {"type": "string"}}}
    document["paths"]["/notes"]["post"]["requestBody"] = {"content": {media.split(";")[0]: {"schema": schema}}}
    comparator = Comparator(document_from_text(json.dumps(document)))
    headers = {**KEY, "Content-Type": media}
    assert codes(comparator, post_note(request_headers=headers, request_body=valid), 3) == []
    assert codes(comparator, post_note(request_headers=headers, request_body=invalid), 3) == [
        "request.body.incompatible"
    ]
