"""Unpaired surrogates and huge numbers, on every route of every service's OpenAPI document.

A JSON string may spell a lone UTF-16 surrogate (`"x\\udfff"`): the answer is a 400 whose
details name the field holding it. A page, size or other integer parameter of thousands of
digits (past Python's `int()` limit) is a 400 naming the parameter. Never a 500.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from solo60.contracts.openapi import openapi_document
from solo60.services import available, definition
from solo60.services.kit.app import PROVIDER_STATES_PATH, build_app
from solo60.services.kit.settings import DEVELOPMENT_API_KEY, ServiceSettings

ON_MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")  # the services start once for the module

HUGE = "9" * 5000
SERVICES = available()


def _operations(name: str) -> list[tuple[str, str, dict[str, Any]]]:
    document = openapi_document(definition(name).contract)
    return [
        (method.upper(), path, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    ]


BODY_OPERATIONS = [
    (name, method, path)
    for name in SERVICES
    for method, path, operation in _operations(name)
    if "requestBody" in operation
]
CALLERS = {
    (name, method, path): operation.get("x-solo60-callers", ["tests"])[0]
    for name in SERVICES
    for method, path, operation in _operations(name)
}
"""Who calls each route: one of its named callers where it has them (others are refused first)."""
INTEGER_PARAMETERS = [
    (name, method, path, parameter["name"])
    for name in SERVICES
    for method, path, operation in _operations(name)
    for parameter in operation["parameters"]
    if parameter.get("in") == "query" and "integer" in json.dumps(parameter["schema"])
]


def _concrete(path: str) -> str:
    return re.sub(r"\{\w+\}", "probe-1", path)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def clients(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """Every service on its own SQLite file (nothing here reaches the database)."""
    directory: Path = tmp_path_factory.mktemp("text-and-numbers")
    started: dict[str, httpx.AsyncClient] = {}
    contexts = []
    for name in SERVICES:
        settings = ServiceSettings.from_env(
            name,
            {},
            database_url=f"sqlite:///{directory / f'{name}.sqlite'}",
            data_dir=directory,
            provider_states=True,
            environment="test",
        )
        app = build_app(definition(name), settings)
        context = app.router.lifespan_context(app)
        await context.__aenter__()
        contexts.append(context)
        started[name] = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url=f"http://{name}",
            headers={"x-api-key": DEVELOPMENT_API_KEY, "x-service-name": "tests"},
        )
    yield started
    for client in started.values():
        await client.aclose()
    for context in reversed(contexts):
        await context.__aexit__(None, None, None)


def _assert_field_named(response: httpx.Response, field: str) -> None:
    assert response.status_code == 400, (response.status_code, response.text[:300])
    body = response.json()
    assert body["error"] == "VALIDATION_ERROR"
    assert field in [detail["field"] for detail in body["details"]], body
    assert field in body["message"]


@pytest.mark.parametrize(("service", "method", "path"), BODY_OPERATIONS)
@ON_MODULE_LOOP
async def test_every_json_body_with_an_unpaired_surrogate_is_a_400_naming_the_field(
    clients: dict[str, httpx.AsyncClient], service: str, method: str, path: str
) -> None:
    response = await clients[service].request(
        method,
        _concrete(path),
        content=b'{"items": [{"note": "x\\udfff"}]}',
        headers={
            "content-type": "application/json",
            "idempotency-key": "probe-1",
            "x-service-name": CALLERS[(service, method, path)],
        },
    )
    _assert_field_named(response, "body.items.0.note")


@pytest.mark.parametrize(("service", "method", "path", "parameter"), INTEGER_PARAMETERS)
@ON_MODULE_LOOP
async def test_integer_parameters_past_the_int_parsing_limit_are_a_400_naming_them(
    clients: dict[str, httpx.AsyncClient], service: str, method: str, path: str, parameter: str
) -> None:
    response = await clients[service].request(method, _concrete(path), params={parameter: HUGE})
    _assert_field_named(response, f"query.{parameter}")


@pytest.mark.parametrize("service", SERVICES)
@ON_MODULE_LOOP
async def test_the_provider_state_route_names_a_surrogate_in_its_params(
    clients: dict[str, httpx.AsyncClient], service: str
) -> None:
    response = await clients[service].post(
        PROVIDER_STATES_PATH,
        content=b'{"state": "a state", "params": {"userId": "\\ud800x"}}',
        headers={"content-type": "application/json"},
    )
    _assert_field_named(response, "body.params.userId")


@pytest.mark.parametrize("service", SERVICES)
@ON_MODULE_LOOP
async def test_the_provider_state_route_takes_huge_numbers_without_a_5xx(
    clients: dict[str, httpx.AsyncClient], service: str
) -> None:
    states = (await clients[service].get(PROVIDER_STATES_PATH)).json()["states"]
    for state in states:
        for name in state["params"]:
            response = await clients[service].post(
                PROVIDER_STATES_PATH, params={"state": state["name"], "action": "setup", name: HUGE}
            )
            assert response.status_code < 500, (state["name"], name, response.text[:200])


def test_the_tables_cover_the_paged_routes() -> None:
    assert len(BODY_OPERATIONS) >= 25
    assert {"page", "pageSize"} <= {parameter for *_, parameter in INTEGER_PARAMETERS}
