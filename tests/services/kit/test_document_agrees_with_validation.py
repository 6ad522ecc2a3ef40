"""What the OpenAPI document allows, the provider accepts; what it forbids, the provider refuses.

Each case here is one a fuzzer found: an input on which the document (read by clients, docs
and Schemathesis) and the provider's own validation disagreed.
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest

from solo60.contracts.openapi import openapi_document
from solo60.services import definition
from tests.helpers import assert_error, set_state


def document_validator(service: str, component: str) -> jsonschema_rs.Validator:
    """Validates a body against `components/schemas/<component>` of the service's document."""
    document = openapi_document(definition(service).contract)
    return jsonschema_rs.validator_for({**document, "$ref": f"#/components/schemas/{component}"})


def query_parameter_validator(service: str, path: str, name: str) -> jsonschema_rs.Validator:
    document = openapi_document(definition(service).contract)
    parameters = document["paths"][path]["get"]["parameters"]
    return jsonschema_rs.validator_for(next(p["schema"] for p in parameters if p.get("name") == name))


async def test_a_whole_number_written_with_a_fraction_is_an_integer(serve) -> None:
    """JSON Schema's `integer` includes `3.0`; pydantic's strict mode on its own refuses it."""
    body = {"userId": "123", "sessionId": "s-1", "amount": 3.0}
    assert document_validator("payment", "DebitCredits").is_valid(body)
    async with serve("payment") as client:
        client.headers["x-service-name"] = "session"  # the caller that debits
        await set_state(client, "a user has credits", userId="123", balance=10)
        debited = await client.post("/internal/payments/credits/debit", json=body, headers={"Idempotency-Key": "k-1"})
        fraction = await client.post(
            "/internal/payments/credits/debit", json={**body, "amount": 2.5}, headers={"Idempotency-Key": "k-2"}
        )
        balance = (await client.get("/internal/payments/credits/123")).json()
    assert debited.status_code == 201, debited.text
    assert balance["balance"] == 7
    assert_error(fraction, 400, "VALIDATION_ERROR")


async def test_a_timestamp_before_the_year_1000_is_answered_as_rfc_3339(serve) -> None:
    async with serve("user") as client:
        await set_state(client, "a user exists", userId="7")
        updated = await client.patch("/internal/users/7", json={"passwordChangedAt": "0211-04-04T14:54:46Z"})
        read = await client.get("/internal/users/7")
    assert updated.status_code == 200, updated.text
    assert read.json()["passwordChangedAt"] == "0211-04-04T14:54:46Z"


NAMES = [
    ("Ada Lovelace", "Ada Lovelace"),
    ("  Ada  ", "Ada"),
    ("A\u2003B", "A\u2003B"),
    (" ", None),
    ("A\x01", None),
    ("\x85Ada", "Ada"),
    ("\x93", "\x93"),
    ("\u2003", None),
    ("  " + "a" * 199, None),
]


@pytest.mark.parametrize(("name", "stored"), NAMES)
async def test_a_name_is_accepted_exactly_when_the_document_allows_it(serve, name: str, stored: str | None) -> None:
    body = {"email": "ada@example.com", "name": name}
    allowed = document_validator("user", "CreateUser").is_valid(body)
    async with serve("user") as client:
        response = await client.post("/internal/users", json=body)
    assert allowed is (stored is not None)
    if stored is None:
        assert_error(response, 400, "VALIDATION_ERROR")
    else:
        assert response.status_code == 201, response.text
        assert response.json()["name"] == stored


@pytest.mark.parametrize(
    ("email", "valid"),
    [
        ("ada@example.com", True),
        ("ü@bücher.de", True),
        ("a\x85@b.io", False),
        ("a\x1c@b.io", False),
        ("a b@c.io", False),
    ],
)
async def test_an_email_is_accepted_exactly_when_the_document_allows_it(serve, email: str, valid: bool) -> None:
    validator = query_parameter_validator("user", "/internal/users/by-email", "email")
    async with serve("user") as client:
        response = await client.get("/internal/users/by-email", params={"email": email})
    assert validator.is_valid(email) is valid
    if valid:
        assert_error(response, 404, "NOT_FOUND")
    else:
        assert_error(response, 400, "VALIDATION_ERROR")


@pytest.mark.parametrize(
    ("data", "valid"),
    [({"sessionId": "s-1"}, True), ({"3S": "x"}, False), ({"nested": {"a": 1}}, False)],
)
async def test_notification_data_keys_follow_the_documented_pattern(serve, data: dict[str, Any], valid: bool) -> None:
    body = {"userId": "42", "title": "Approved", "message": "Your session is approved.", "data": data}
    assert document_validator("communication", "SendSystemNotification").is_valid(body) is valid
    async with serve("communication") as client:
        response = await client.post("/internal/notifications/system", json=body)
    if valid:
        assert response.status_code == 201, response.text
    else:
        assert_error(response, 400, "VALIDATION_ERROR")


async def test_the_document_names_the_variables_each_mail_template_needs(serve) -> None:
    validator = document_validator("communication", "SendEmail")
    missing = {"templateKey": "TRIAL_ENDING", "to": {"email": "guest@example.com"}, "variables": {}}
    complete = {**missing, "variables": {"trialEndsAt": "3 March"}}
    async with serve("communication") as client:
        refused = await client.post("/internal/emails/send-async", json=missing, headers={"Idempotency-Key": "m-1"})
        accepted = await client.post("/internal/emails/send-async", json=complete, headers={"Idempotency-Key": "m-2"})
    assert not validator.is_valid(missing)
    assert validator.is_valid(complete)
    assert "body.variables.trialEndsAt" in {
        detail.field for detail in assert_error(refused, 400, "VALIDATION_ERROR").details or []
    }
    assert accepted.status_code == 202, accepted.text


@pytest.mark.parametrize(
    ("starts_at", "valid"),
    [
        ("2030-03-04T10:00:00Z", True),
        ("2030-03-04T10:00:00+01:00", True),
        ("2030-03-04t10:00:00z", False),
        ("2030-03-04 10:00:00Z", False),
        ("2030-03-04T10:00:00.1234567Z", False),
        ("1999-12-31T10:00:00Z", False),
        ("3051-04-27T14:00:54Z", False),
    ],
)
async def test_a_slot_start_is_priced_exactly_when_the_document_allows_it(serve, starts_at: str, valid: bool) -> None:
    validator = query_parameter_validator("gym", "/internal/gyms/{gymId}/pricing", "startsAt")
    async with serve("gym") as client:
        await set_state(client, "a gym exists", gymId="gym-1", opens="00:00", closes="24:00")
        response = await client.get(
            "/internal/gyms/gym-1/pricing", params={"startsAt": starts_at, "durationMinutes": 60}
        )
    assert validator.is_valid(starts_at) is valid
    if valid:
        assert response.status_code == 200, response.text
    else:
        assert_error(response, 400, "VALIDATION_ERROR")


@pytest.mark.parametrize(
    ("address", "valid"),
    [("guest@example.com", True), ("a.b+c@example.com", True), ("K0eb/lk1{J.@8.E.s", False), (".a@b.io", False)],
)
async def test_a_mailbox_address_is_sent_to_exactly_when_the_document_allows_it(
    serve, address: str, valid: bool
) -> None:
    """A local part ending in a dot passed the old pattern, then broke the mail header: a 500."""
    body = {"templateKey": "PASSWORD_RESET_CONFIRMATION", "to": {"email": address}}
    assert document_validator("communication", "SendEmail").is_valid(body) is valid
    async with serve("communication") as client:
        response = await client.post("/internal/emails/send", json=body, headers={"Idempotency-Key": "a-1"})
    if valid:
        assert response.status_code == 201, response.text
    else:
        assert_error(response, 400, "VALIDATION_ERROR")
