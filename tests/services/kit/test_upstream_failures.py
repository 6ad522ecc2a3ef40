"""Every way a call to another service can fail is one answer to the caller: 503 naming that service.

The auth service's password-reset route calls the user service first; here the "user service"
is a scripted provider that refuses, fails, hangs, breaks its contract or is not there at all.
(`tests/flows/test_upstream_refusals.py` runs every calling route against real services.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from solo60.clients import reset_breakers
from tests.clients.scripted import Answer, ScriptedProvider, error, serving
from tests.flows.session.stack import ReservedPort
from tests.helpers import assert_error

CLIENT = {
    "SOLO60_CLIENT_CONNECT_TIMEOUT": "0.5",
    "SOLO60_CLIENT_ATTEMPT_TIMEOUT": "0.5",  # well above a scripted answer on a loaded machine, below the hang
    "SOLO60_CLIENT_DEADLINE": "2",
    "SOLO60_CLIENT_RETRY_ATTEMPTS": "1",
    "SOLO60_CLIENT_BREAKER_FAILURES": "2",
    "SOLO60_CLIENT_BREAKER_COOL_DOWN": "30",
}
RESET = "/internal/auth/password-reset"


@pytest.fixture
def database_backend() -> str:
    """The mapping is the same on every database: SQLite is enough."""
    return "sqlite"


@pytest.fixture(autouse=True)
def fresh_breakers() -> Iterator[None]:
    reset_breakers()
    yield
    reset_breakers()


@pytest.fixture
async def users() -> AsyncIterator[ScriptedProvider]:
    provider = ScriptedProvider()
    async with serving(provider) as url:
        provider.url = url
        yield provider


async def _reset(serve: Any, user_service_url: str, times: int = 1) -> httpx.Response:
    async with serve("auth", environ={**CLIENT, "USER_SERVICE_URL": user_service_url}) as auth:
        for attempt in range(times):
            response = await auth.post(
                RESET, json={"email": "ada@example.com"}, headers={"Idempotency-Key": f"k{attempt}"}
            )
    return response


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (error(401, "UNAUTHORIZED", "x-api-key is not an accepted service key"), "refused this service's key"),
        (error(500, "INTERNAL", "the user service broke"), "failed to answer get_user_by_email"),
        (error(503, "UPSTREAM_UNAVAILABLE", "its database is down"), "failed to answer get_user_by_email"),
        (Answer(502, raw=b"<html>bad gateway</html>"), "could not be reached"),
        (Answer(200, {"id": ["123"], "unexpected": "shape"}), "outside its contract"),
        (Answer(200, {}, delay=1.0), "did not answer in time"),
    ],
    ids=["key refused", "5xx", "its own upstream down", "proxy error", "contract violation", "timeout"],
)
async def test_an_upstream_failure_is_a_503_naming_the_service(
    serve: Any, users: ScriptedProvider, answer: Answer, says: str
) -> None:
    users.answer(answer)
    body = assert_error(await _reset(serve, users.url), 503, "UPSTREAM_UNAVAILABLE")
    assert body.message.startswith("The user service ")
    assert says in body.message


async def test_an_answer_without_fields_the_route_does_not_read_is_accepted(
    serve: Any, users: ScriptedProvider
) -> None:
    """A tolerant reader: the reset of an address without credentials reads only the user's id, so a
    user service that stopped sending the rest breaks nothing here."""
    users.answer(Answer(200, {"id": "123"}))
    response = await _reset(serve, users.url)
    assert response.status_code == 202, response.text


async def test_an_answer_without_a_field_the_route_reads_is_a_503_naming_the_field(
    serve: Any, users: ScriptedProvider
) -> None:
    """The other side of the tolerant reader: signup reads the new user's email and name, so a user
    service that stopped sending them breaks this route, and the caller learns which field, and where."""
    users.answer(Answer(201, {"id": "123"}))
    async with serve("auth", environ={**CLIENT, "USER_SERVICE_URL": users.url}) as auth:
        response = await auth.post(
            "/internal/auth/signup",
            json={"email": "ada@example.com", "name": "Ada Lovelace", "password": "correct horse battery"},
            headers={"Idempotency-Key": "signup-ada"},
        )
    body = assert_error(response, 503, "UPSTREAM_UNAVAILABLE")
    assert body.message.startswith("The user service answered create_user outside its contract (field email)")
    assert "the provider did not send it" in body.message


async def test_an_unreachable_service_is_a_503_naming_it(serve: Any) -> None:
    nobody = ReservedPort()
    body = assert_error(await _reset(serve, nobody.url), 503, "UPSTREAM_UNAVAILABLE")
    assert body.message.startswith("The user service could not be reached")


async def test_an_open_circuit_is_a_503_naming_the_service_with_when_to_retry(
    serve: Any, users: ScriptedProvider
) -> None:
    users.default = error(500, "INTERNAL")
    response = await _reset(serve, users.url, times=3)  # two failures open the circuit; the third fails fast
    body = assert_error(response, 503, "UPSTREAM_UNAVAILABLE")
    assert body.message.startswith("The user service failed repeatedly, so calls to it are paused")
    assert 1 <= int(response.headers["Retry-After"]) <= 30
    assert len(users.received) == 2


async def test_an_answer_the_route_expects_is_still_its_own(serve: Any, users: ScriptedProvider) -> None:
    """Only failures are mapped: the user service's 404 is an answer the reset route turns into its own 202."""
    users.answer(error(404, "NOT_FOUND", "no such user"))
    response = await _reset(serve, users.url)
    assert response.status_code == 202, response.text
