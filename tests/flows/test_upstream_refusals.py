"""Every route that calls another service answers 503 naming it when that service refuses the call.

The seven services run together, each accepting the key the test calls with but calling the
others with a key none of them accepts (`SERVICE_API_KEY` not among `SERVICE_API_KEYS`, the
slip `solo60 services up` warns about). Whatever the route and whichever service it calls
first, its caller gets 503 UPSTREAM_UNAVAILABLE naming that service: not a 500 that reads as a
bug of the route, and not a 401 that would blame the caller's own key.

`CALLING_ROUTES` lists the routes that call another service while their caller waits; the
last test keeps it in step with the contracts' `calls_upstream` flags, so a new calling route
without a case here fails the suite.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from solo60.contracts import all_contracts
from solo60.services.kit.server import RunningService, running_services
from tests.flows.session.stack import FAST
from tests.helpers import assert_error

ACCEPTED_KEY = "key-the-services-accept"
REFUSED_KEY = "key-none-of-them-accepts"


@dataclass(frozen=True)
class Case:
    """One calling route: the states it needs first, the request, and the service it calls first."""

    path: str
    body: dict[str, Any]
    calls: str
    states: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


PENDING_SESSION = ("a session exists", {"sessionId": "session-1", "status": "PENDING_APPROVAL"})
CONFIRMED_SESSION = ("a session exists", {"sessionId": "session-1", "status": "CONFIRMED"})

CALLING_ROUTES: dict[tuple[str, str], Case] = {
    ("auth", "signup"): Case(
        "/internal/auth/signup",
        {"email": "ada@example.com", "name": "Ada Lovelace", "password": "correct horse battery"},
        calls="user",
    ),
    ("auth", "request_password_reset"): Case(
        "/internal/auth/password-reset", {"email": "ada@example.com"}, calls="user"
    ),
    ("auth", "verify_email"): Case(
        "/internal/auth/verify-email",
        {"token": "mailed-token-123"},
        calls="user",
        states=[("an email confirmation link was mailed", {"token": "mailed-token-123"})],
    ),
    ("session", "book_session"): Case(
        "/internal/sessions",
        {"userId": "123", "gymId": "gym-1", "startsAt": "2030-01-07T17:00:00Z", "durationMinutes": 60},
        calls="user",
    ),
    ("session", "approve_session"): Case(
        "/internal/sessions/session-1/approve", {"adminUserId": "42"}, calls="gym", states=[PENDING_SESSION]
    ),
    ("session", "reject_session"): Case(
        "/internal/sessions/session-1/reject", {"adminUserId": "42"}, calls="gym", states=[PENDING_SESSION]
    ),
    ("session", "invite_guest"): Case(
        "/internal/sessions/session-1/guests", {"email": "grace@example.com"}, calls="gym", states=[CONFIRMED_SESSION]
    ),
    ("session", "join_waiting_list"): Case(
        "/internal/sessions/session-1/waiting-list", {"userId": "456"}, calls="user", states=[CONFIRMED_SESSION]
    ),
    ("subscription", "start"): Case(
        "/internal/subscriptions", {"userId": "123", "plan": "monthly-8", "cardToken": "tok_visa"}, calls="payment"
    ),
    ("communication", "send_email"): Case(
        "/internal/emails/send",
        {
            "templateKey": "SESSION_APPROVED",
            "to": {"userId": "123"},
            "variables": {"gymName": "Field Street Gym", "startsAt": "2030-01-07 17:00"},
        },
        calls="user",
    ),
}

NO_CALL_WHILE_WAITING: dict[tuple[str, str], str] = {
    ("session", "cancel_session"): "the refund and the mails go through the outbox after the answer",
    ("payment", "receive_gateway_event"): "the event is forwarded through the outbox after the answer",
    ("payment", "charge_card"): "it calls the card gateway, not another service (503 on a gateway outage)",
}
"""Routes whose contract says they depend on another service, but which never call one while the caller waits."""


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, RunningService]]:
    """All seven services, calling each other with a key none of them accepts."""
    data_dir: Path = tmp_path_factory.mktemp("refusals")
    environ = {
        **FAST,
        "SOLO60_DATA_DIR": str(data_dir),
        "SOLO60_APP_URL": "https://app.solo60.test",
        "SERVICE_API_KEYS": ACCEPTED_KEY,
        "SERVICE_API_KEY": REFUSED_KEY,
    }
    names = sorted({service for service, _route in CALLING_ROUTES} | {case.calls for case in CALLING_ROUTES.values()})
    with running_services(names, environ=environ) as running:
        yield running


@pytest.mark.parametrize("route", list(CALLING_ROUTES), ids=lambda route: ".".join(route))
async def test_a_refused_service_key_is_a_503_naming_the_service_called(
    services: dict[str, RunningService], route: tuple[str, str]
) -> None:
    service, _name = route
    case = CALLING_ROUTES[route]
    headers = {"x-api-key": ACCEPTED_KEY, "x-service-name": "gateway", "Idempotency-Key": f"refusal-{'-'.join(route)}"}
    async with httpx.AsyncClient(base_url=services[service].url, headers=headers, timeout=30) as client:
        for state, params in case.states:
            change = {"state": state, "params": params, "action": "setup"}
            assert (await client.post("/_pact/provider-states", json=change)).status_code == 200
        response = await client.post(case.path, json=case.body)
    body = assert_error(response, 503, "UPSTREAM_UNAVAILABLE")
    assert f"The {case.calls} service refused this service's key" in body.message
    assert "SERVICE_API_KEY" in body.message


def test_every_route_that_calls_another_service_has_a_case_here() -> None:
    flagged = {
        (contract.service, route.name)
        for contract in all_contracts()
        for route in contract.routes()
        if route.calls_upstream
    }
    uncovered = flagged - set(CALLING_ROUTES) - set(NO_CALL_WHILE_WAITING)
    assert not uncovered, f"routes that call another service without a case in CALLING_ROUTES: {sorted(uncovered)}"
    unflagged = (set(CALLING_ROUTES) | set(NO_CALL_WHILE_WAITING)) - flagged
    assert not unflagged, f"routes listed here whose contract does not say calls_upstream=True: {sorted(unflagged)}"
