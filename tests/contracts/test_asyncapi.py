"""Each producing service's AsyncAPI 3 document: generated from its event contracts, true to what it publishes."""

from __future__ import annotations

from datetime import UTC, datetime

import jsonschema_rs
import pytest

from solo60.contracts.events import events_of
from solo60.contracts.events.asyncapi import asyncapi_document
from solo60.contracts.events.session import GymFacts
from solo60.services.session import session_events
from solo60.services.subscription import plan_events
from solo60.services.subscription.storage import SubscriptionRow

SUBSCRIPTION = SubscriptionRow(
    id="sub-1",
    user_id="123",
    plan="monthly-8",
    status="ACTIVE",
    credits_per_month=8,
    current_period_start=datetime(2025, 1, 1, tzinfo=UTC),
    current_period_end=datetime(2025, 2, 1, tzinfo=UTC),
    trial_ends_at=None,
)


@pytest.mark.parametrize("service", ["session", "subscription"])
def test_every_event_is_a_channel_with_a_send_operation_and_a_message(service: str) -> None:
    document = asyncapi_document(service)
    names = [contract.name for contract in events_of(service)]

    assert document["asyncapi"] == "3.0.0"
    assert sorted(document["channels"]) == sorted(names)
    assert sorted(document["operations"]) == sorted(f"publish.{name}" for name in names)
    for name in names:
        assert document["channels"][name]["address"] == name
        assert document["operations"][f"publish.{name}"]["action"] == "send"
        payload = document["components"]["messages"][name]["payload"]["$ref"]
        assert payload.rsplit("/", 1)[-1] in document["components"]["schemas"]


def test_a_service_that_publishes_nothing_has_no_document() -> None:
    with pytest.raises(KeyError, match="publishes no events"):
        asyncapi_document("gym")


def _validator(service: str, name: str):
    """The message's payload schema, its `$ref`s resolved within the document."""
    document = asyncapi_document(service)
    schema = {**document["components"]["messages"][name]["payload"], "components": document["components"]}
    return jsonschema_rs.validator_for(schema)


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("subscription.activated", plan_events.activated_event(SUBSCRIPTION)),
        ("subscription.payment_failed", plan_events.payment_failed_event(SUBSCRIPTION, None)),
        ("subscription.trial_ending", plan_events.trial_ending_event(SUBSCRIPTION, datetime(2025, 1, 15, tzinfo=UTC))),
    ],
)
def test_what_subscription_publishes_is_valid_against_its_document(name: str, payload) -> None:
    body = payload.model_dump(mode="json", by_alias=True)
    assert _validator("subscription", name).is_valid(body), list(_validator("subscription", name).iter_errors(body))


def test_what_session_publishes_is_valid_against_its_document_and_a_renamed_field_is_not() -> None:
    facts = {
        "event": "session.cancelled",
        "sessionId": "s-1",
        "gymId": "gym-1",
        "memberId": "123",
        "startsAt": "2030-01-07T10:00:00+00:00",
        "guestsToTell": [{"guestId": "g-1", "email": "grace@example.com", "name": None}],
    }
    gym = GymFacts(gym_id="gym-1", name="Field Street Gym", timezone="Europe/London", admin_email="a@field.example")
    _, payload = session_events.build(facts, gym, {"123": "Ada"})
    body = payload.model_dump(mode="json", by_alias=True)
    validator = _validator("session", "session.cancelled")

    assert validator.is_valid(body), list(validator.iter_errors(body))
    body["guests"] = body.pop("guestsToTell")
    assert not validator.is_valid(body)
