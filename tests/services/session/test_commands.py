"""The command routes on the session service alone: bad input is a 400, a missing service a 503 naming it.

The flows themselves run across the real services in tests/flows/session/.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from solo60.services.kit.settings import ConfigurationError
from tests.helpers import assert_error, set_state


@pytest.fixture
def database_backend() -> str:
    """Input checks and settings come before any storage: one database shows them."""
    return "sqlite"


BOOKING: dict[str, Any] = {"userId": "123", "gymId": "gym-1", "startsAt": "2030-01-07T10:00:00Z", "durationMinutes": 60}
KEY = {"Idempotency-Key": "booking-1"}


async def test_without_the_services_a_flow_calls_each_command_answers_503_naming_what_is_missing(
    sessions: httpx.AsyncClient,
) -> None:
    await set_state(sessions, "a session exists", sessionId="s-1", status="PENDING_APPROVAL")
    commands = [
        ("/internal/sessions", BOOKING, KEY),
        ("/internal/sessions/s-1/approve", {"adminUserId": "42"}, {}),
        ("/internal/sessions/s-1/reject", {"adminUserId": "42"}, {}),
        ("/internal/sessions/s-1/cancel", {}, {}),
        ("/internal/sessions/s-1/guests", {"email": "grace@example.com"}, {}),
        ("/internal/sessions/s-1/waiting-list", {"userId": "456"}, {}),
    ]

    for path, body, headers in commands:
        refused = assert_error(await sessions.post(path, json=body, headers=headers), 503, "UPSTREAM_UNAVAILABLE")
        assert "_SERVICE_URL is not set" in refused.message, path

    session = (await sessions.get("/internal/sessions/s-1")).json()
    assert (session["status"], session["guests"]) == ("PENDING_APPROVAL", [])
    assert (await sessions.get("/internal/sessions/by-user/123")).json()["total"] == 1


@pytest.mark.parametrize(
    "booking",
    [
        {key: value for key, value in BOOKING.items() if key != "userId"},
        {**BOOKING, "durationMinutes": 0},
        {**BOOKING, "durationMinutes": "60"},
        {**BOOKING, "startsAt": "2030-01-07T10:00:00"},
        {**BOOKING, "startsAt": "2200-01-07T10:00:00Z"},
        {**BOOKING, "gymId": "gym 1; DROP TABLE sessions"},
        {**BOOKING, "guests": [{"email": "grace@example.com"}, {"email": "GRACE@example.com"}]},
        {**BOOKING, "guests": [{"email": f"guest{n}@example.com"} for n in range(21)]},
        {**BOOKING, "guests": [{"email": "grace@example.com", "name": "Grace\r\nBcc: all@example.com"}]},
        {**BOOKING, "guests": [{"email": "Grace <grace@example.com>"}]},
        {**BOOKING, "price": 0},
    ],
    ids=[
        "no-user",
        "no-minutes",
        "minutes-as-text",
        "naive-time",
        "far-future",
        "hostile-id",
        "same-guest-twice",
        "too-many-guests",
        "header-in-name",
        "display-name",
        "unknown-field",
    ],
)
async def test_a_malformed_booking_is_refused_with_400_naming_the_field(
    sessions: httpx.AsyncClient, booking: dict[str, Any]
) -> None:
    refused = assert_error(
        await sessions.post("/internal/sessions", json=booking, headers=KEY), 400, "VALIDATION_ERROR"
    )
    assert refused.details
    assert all(detail.field.startswith("body") for detail in refused.details)


async def test_a_booking_needs_an_idempotency_key_and_a_json_body_of_sensible_size(sessions: httpx.AsyncClient) -> None:
    missing = assert_error(await sessions.post("/internal/sessions", json=BOOKING), 400, "VALIDATION_ERROR")
    assert [detail.field for detail in missing.details or []] == ["header.Idempotency-Key"]
    assert_error(
        await sessions.post("/internal/sessions", json=BOOKING, headers={"Idempotency-Key": "has spaces"}),
        400,
        "VALIDATION_ERROR",
    )
    assert_error(
        await sessions.post("/internal/sessions", content=b"userId=123", headers={**KEY, "content-type": "text/plain"}),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    )
    assert_error(
        await sessions.post(
            "/internal/sessions", content=b"{" * 2_000_000, headers={**KEY, "content-type": "application/json"}
        ),
        413,
        "PAYLOAD_TOO_LARGE",
    )
    assert_error(
        await sessions.post(
            "/internal/sessions", content=b'{"userId": ', headers={**KEY, "content-type": "application/json"}
        ),
        400,
        "VALIDATION_ERROR",
    )


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/internal/sessions/s-1/approve", {}),
        ("/internal/sessions/s-1/reject", {"adminUserId": "42", "reason": "x" * 501}),
        ("/internal/sessions/s-1/cancel", {"reason": "line one\nline two"}),
        ("/internal/sessions/s-1/cancel", {"reason": 42}),
        ("/internal/sessions/s-1/guests", {"email": "grace@example.com", "name": ""}),
        ("/internal/sessions/s-1/waiting-list", {"userId": ""}),
        ("/internal/sessions/%27%20OR%201%3D1/cancel", {}),
    ],
)
async def test_a_malformed_command_is_refused_with_400(sessions: httpx.AsyncClient, path: str, body: dict) -> None:
    assert_error(await sessions.post(path, json=body), 400, "VALIDATION_ERROR")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SESSION_BOOKING_HOLD_SECONDS", "soon"),
        ("SESSION_BOOKING_HOLD_SECONDS", "0"),
        ("SESSION_OUTBOX_MAX_ATTEMPTS", "0"),
        ("OUTBOX_IDLE_SECONDS", "-1"),
    ],
)
async def test_a_bad_flow_setting_stops_the_start_and_names_the_setting(serve, variable: str, value: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        async with serve("session", environ={variable: value}):
            pass
    assert variable in str(raised.value)
