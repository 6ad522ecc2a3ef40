"""What a client sends: the conventions' headers, the route's path, query and body, validated before sending."""

from __future__ import annotations

import json
import uuid
from urllib.parse import parse_qs

import httpx
import pytest

from solo60 import correlation
from solo60.clients import ClientConfig, InvalidRequest
from solo60.services.kit.settings import DEVELOPMENT_API_KEY
from tests.clients.probe import THING, NewThing, ProbeClient, Thing, ThingList
from tests.clients.scripted import Answer, ScriptedProvider


async def test_every_call_carries_the_service_key_the_caller_and_a_correlation_id(provider, probe) -> None:
    provider.answer(Answer(200, THING))

    await probe().get_thing("t-1")

    headers = provider.received[0].headers
    assert headers["x-api-key"] == DEVELOPMENT_API_KEY
    assert headers["x-service-name"] == "tests"
    assert uuid.UUID(headers["x-correlation-id"])


async def test_the_correlation_id_of_the_request_being_served_is_passed_on(provider, probe) -> None:
    provider.answer(Answer(200, THING))
    token = correlation.correlation_id.set("edge-42")
    try:
        await probe().get_thing("t-1")
    finally:
        correlation.correlation_id.reset(token)

    assert provider.received[0].headers["x-correlation-id"] == "edge-42"


async def test_calls_outside_any_request_get_a_correlation_id_each(provider, probe) -> None:
    client = probe()
    provider.answer(Answer(200, THING), Answer(200, THING))
    await client.get_thing("t-1")
    await client.get_thing("t-1")

    first, second = (request.headers["x-correlation-id"] for request in provider.received)
    assert first != second


async def test_path_parameters_fill_the_route_template(provider, probe) -> None:
    provider.answer(Answer(200, THING))

    thing = await probe().get_thing("t-1")

    assert provider.received[0].method == "GET"
    assert provider.received[0].path == "/internal/things/t-1"
    assert thing == Thing(id="t-1", name="kettlebell", size=16)


async def test_query_fields_are_sent_under_their_wire_names(provider, probe) -> None:
    provider.answer(Answer(200, {"things": [THING], "page": 2}))

    found = await probe().find_things(name_prefix="kettle", page=2, tags=["iron", "heavy"])

    assert parse_qs(provider.received[0].query) == {"namePrefix": ["kettle"], "page": ["2"], "tags": ["iron", "heavy"]}
    assert isinstance(found, ThingList)
    assert found.things[0].name == "kettlebell"


async def test_query_defaults_are_the_contracts(provider, probe) -> None:
    provider.answer(Answer(200, {"things": [], "page": 1}))

    await probe().find_things(name_prefix="kettle")

    assert parse_qs(provider.received[0].query) == {"namePrefix": ["kettle"], "page": ["1"]}


async def test_the_body_is_camel_case_json_with_only_the_fields_the_caller_set(provider, probe) -> None:
    provider.answer(Answer(201, THING))

    await probe().create_thing(NewThing(name="kettlebell", size=16))

    request = provider.received[0]
    assert request.method == "POST"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.body) == {"name": "kettlebell", "size": 16}


async def test_a_body_given_as_a_mapping_is_validated_and_sent_with_wire_names(provider, probe) -> None:
    provider.answer(Answer(201, THING))

    await probe().create_thing({"name": "kettlebell", "size": 16, "fragile": True})

    assert json.loads(provider.received[0].body) == {"name": "kettlebell", "size": 16, "fragile": True}


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda client: client.get_thing("no spaces/or slashes"), "path.thingId"),
        (lambda client: client.find_things(name_prefix="k", page=0), "query.page"),
        (lambda client: client.create_thing({"name": "kettlebell", "size": -1}), "body.size"),
        (lambda client: client.create_thing({"name": "kettlebell", "size": "16"}), "body.size"),
        (lambda client: client.create_thing({"name": "kettlebell", "size": 1, "colour": "red"}), "body.colour"),
        (lambda client: client.buy_thing(NewThing(name="k", size=1), idempotency_key="has spaces"), "header"),
    ],
    ids=["path", "query", "body-range", "body-type", "body-unknown-field", "idempotency-key"],
)
async def test_arguments_that_break_the_contract_fail_before_anything_is_sent(provider, probe, call, field) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await call(probe())

    assert caught.value.details[0].field.startswith(field)
    assert field in str(caught.value)
    assert caught.value.attempts == 0
    assert provider.received == []


async def test_a_keyed_call_without_a_key_gets_a_new_one_per_call(provider, probe) -> None:
    client = probe()
    provider.answer(Answer(201, THING), Answer(201, THING), Answer(201, THING))

    await client.buy_thing(NewThing(name="kettlebell", size=16))
    await client.buy_thing(NewThing(name="kettlebell", size=16))
    await client.buy_thing(NewThing(name="kettlebell", size=16), idempotency_key="booking-7-debit")

    first, second, third = (request.headers["idempotency-key"] for request in provider.received)
    assert first != second
    assert uuid.UUID(first)
    assert third == "booking-7-debit"


async def test_calls_without_a_key_in_their_contract_send_none(provider, probe) -> None:
    provider.answer(Answer(201, THING))

    await probe().create_thing(NewThing(name="kettlebell", size=16))

    assert "idempotency-key" not in provider.received[0].headers


async def test_a_route_answering_204_returns_none(provider, probe) -> None:
    provider.answer(Answer(204))

    assert await probe().delete_thing("t-1") is None
    assert provider.received[0].method == "DELETE"


@pytest.mark.parametrize("status", [200, 201])
async def test_a_route_with_two_success_statuses_parses_either(provider, probe, status) -> None:
    provider.answer(Answer(status, THING))

    assert await probe().buy_thing(NewThing(name="kettlebell", size=16)) == Thing(**THING)


async def test_fields_the_contract_does_not_know_are_ignored(provider, probe) -> None:
    provider.answer(Answer(200, {**THING, "colour": "black"}))

    assert await probe().get_thing("t-1") == Thing(**THING)


async def test_a_client_can_call_an_app_in_process_through_another_transport() -> None:
    scripted = ScriptedProvider()
    scripted.answer(Answer(200, THING))
    transport = httpx.ASGITransport(app=scripted)

    async with ProbeClient(ClientConfig("http://probe", caller="tests"), transport=transport) as client:
        thing = await client.get_thing("t-1")

    assert thing.id == "t-1"
    assert scripted.received[0].headers["x-service-name"] == "tests"
