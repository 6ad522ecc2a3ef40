"""What the session service relies on from the gym service: a gym's booking rules and a slot's price."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pact import match

from solo60.clients import GymClient, UpstreamConflict, UpstreamNotFound, UpstreamUnauthorized, UpstreamValidationFailed
from solo60.contracts.errors import ErrorCode
from solo60.contracts.gym import Gym, GymStatus, OpeningHours, PeakWindow, PricingRules, SlotPrice, Weekday
from solo60.harness.made.contract_test import ContractTest
from solo60.harness.made.matchers import error_body, shape_of, timestamp

CONSUMER = "session"
PROVIDER = "gym"

FIELD_STREET = Gym(
    id="gym-1",
    name="Field Street Gym",
    address="12 Field Street, London N1 7AA",
    timezone="Europe/London",
    status=GymStatus.ACTIVE,
    requires_approval=False,
    noise_sensitive=False,
    admin_email="admin@fieldstreetgym.example",
    admin_user_id="42",
    max_guests=3,
    opening_hours=OpeningHours(opens="06:00", closes="22:00"),
    pricing=PricingRules(
        credits_per_hour=10,
        peak_credits_per_hour=15,
        peak_hours=[PeakWindow(days=[Weekday.MON], starts="17:00", ends="21:00")],
        min_duration_minutes=30,
        max_duration_minutes=180,
        slot_minutes=15,
    ),
    created_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
    updated_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
)

MONDAY_EVENING = datetime(2030, 1, 7, 18, 0, tzinfo=UTC)
"""A Monday in winter (London is on UTC), inside the weekday 17:00-21:00 peak window."""

PEAK_HOUR = SlotPrice(
    gym_id="gym-1",
    starts_at=MONDAY_EVENING,
    ends_at=datetime(2030, 1, 7, 19, 0, tzinfo=UTC),
    local_starts_at="2030-01-07T18:00:00+00:00",
    timezone="Europe/London",
    duration_minutes=60,
    price_credits=15,
    peak=True,
    peak_minutes=60,
    credits_per_hour=10,
    peak_credits_per_hour=15,
)


SLOT_REFUSED = {
    **error_body(ErrorCode.VALIDATION_ERROR),
    "details": match.each_like(
        {
            "field": match.regex("query.durationMinutes", regex=r"^query\.[A-Za-z]+$"),
            "message": match.str("must be a multiple of 15 minutes"),
            "type": match.str("value_error"),
        },
        min=1,
    ),
}
"""A slot the gym does not sell: each problem named as the query parameter it is about."""


def _gym_with(**flags: bool) -> dict:
    """The gym's shape, with the booking flags the session service branches on pinned to their values."""
    wire = {"requires_approval": "requiresApproval", "noise_sensitive": "noiseSensitive"}
    return {**shape_of(FIELD_STREET), **{wire[name]: value for name, value in flags.items()}}


async def test_a_plain_gym_confirms_bookings_at_once_without_a_noise_warning(contract: ContractTest) -> None:
    (
        contract.request("a request for a gym without approval or noise rules", "GET", "/internal/gyms/gym-1")
        .given("a gym exists", gymId="gym-1")
        .will_respond_with(200)
        .with_body(_gym_with(requires_approval=False, noise_sensitive=False), content_type="application/json")
    )
    async with contract.client(GymClient) as gyms:
        gym = await gyms.get_gym("gym-1")
    assert gym.requires_approval is False
    assert gym.noise_sensitive is False
    assert gym.max_guests == 3


async def test_a_gym_requiring_approval_makes_a_booking_wait_for_its_admin(contract: ContractTest) -> None:
    (
        contract.request("a request for a gym that requires approval", "GET", "/internal/gyms/gym-1")
        .given("a gym requires approval", gymId="gym-1", adminEmail="admin@fieldstreetgym.example")
        .will_respond_with(200)
        .with_body(_gym_with(requires_approval=True), content_type="application/json")
    )
    async with contract.client(GymClient) as gyms:
        gym = await gyms.get_gym("gym-1")
    assert gym.requires_approval is True
    assert gym.admin_email == "admin@fieldstreetgym.example"  # where the approval request goes


async def test_a_noise_sensitive_gym_makes_the_booking_send_a_noise_warning(contract: ContractTest) -> None:
    (
        contract.request("a request for a noise-sensitive gym", "GET", "/internal/gyms/gym-1")
        .given("a gym is noise sensitive", gymId="gym-1")
        .will_respond_with(200)
        .with_body(_gym_with(noise_sensitive=True), content_type="application/json")
    )
    async with contract.client(GymClient) as gyms:
        gym = await gyms.get_gym("gym-1")
    assert gym.noise_sensitive is True


async def test_booking_at_an_unknown_gym_is_not_found(contract: ContractTest) -> None:
    (
        contract.request("a request for a gym that does not exist", "GET", "/internal/gyms/gym-404")
        .given("no gym exists")
        .will_respond_with(404)
        .with_body(error_body(ErrorCode.NOT_FOUND), content_type="application/json")
    )
    async with contract.client(GymClient) as gyms:
        with pytest.raises(UpstreamNotFound):
            await gyms.get_gym("gym-404")


async def test_a_booking_is_priced_by_the_gym_for_its_slot(contract: ContractTest) -> None:
    (
        contract.request("a request for the price of a peak-hour slot", "GET", "/internal/gyms/gym-1/pricing")
        .given("a gym exists", gymId="gym-1", timezone="Europe/London", creditsPerHour=10, peakCreditsPerHour=15)
        .with_query_parameter("startsAt", timestamp("2030-01-07T18:00:00Z"))
        .with_query_parameter("durationMinutes", match.regex("60", regex=r"^\d+$"))
        .will_respond_with(200)
        .with_body(shape_of(PEAK_HOUR), content_type="application/json")
    )
    async with contract.client(GymClient) as gyms:
        price = await gyms.price_slot("gym-1", starts_at=MONDAY_EVENING, duration_minutes=60)
    assert price.price_credits == 15  # what the booking debits
    assert price.ends_at == datetime(2030, 1, 7, 19, 0, tzinfo=UTC)


async def test_a_slot_off_the_gyms_grid_is_refused_with_the_field_named(contract: ContractTest) -> None:
    (
        contract.request(
            "a request for the price of a slot off the 15-minute grid", "GET", "/internal/gyms/gym-1/pricing"
        )
        .given("a gym exists", gymId="gym-1", slotMinutes=15)
        .with_query_parameter("startsAt", "2030-01-07T18:00:00Z")
        .with_query_parameter("durationMinutes", "50")
        .will_respond_with(400)
        .with_body(SLOT_REFUSED, content_type="application/json")
    )
    async with contract.client(GymClient) as gyms:
        with pytest.raises(UpstreamValidationFailed) as refused:
            await gyms.price_slot("gym-1", starts_at=MONDAY_EVENING, duration_minutes=50)
    # The booking hands the member each problem, renamed from the gym's query to its own body.
    assert all(detail.field.startswith("query.") for detail in refused.value.details)


async def test_a_closed_gym_takes_no_bookings(contract: ContractTest) -> None:
    (
        contract.request("a request for the price of a slot at a closed gym", "GET", "/internal/gyms/gym-1/pricing")
        .given("a gym is closed", gymId="gym-1")
        .with_query_parameter("startsAt", timestamp("2030-01-07T18:00:00Z"))
        .with_query_parameter("durationMinutes", match.regex("60", regex=r"^\d+$"))
        .will_respond_with(409)
        .with_body(error_body(ErrorCode.CONFLICT), content_type="application/json")
    )
    async with contract.client(GymClient) as gyms:
        with pytest.raises(UpstreamConflict):
            await gyms.price_slot("gym-1", starts_at=MONDAY_EVENING, duration_minutes=60)


async def test_a_gym_lookup_with_a_revoked_service_key_is_unauthorized(contract: ContractTest) -> None:
    (
        contract.request(
            "a request for a gym with a revoked service key", "GET", "/internal/gyms/gym-1", authenticated=False
        )
        .given("a gym exists", gymId="gym-1")
        .with_header("x-api-key", "a-revoked-key")
        .will_respond_with(401)
        .with_body(error_body(ErrorCode.UNAUTHORIZED), content_type="application/json")
    )
    async with contract.client(GymClient, api_key="a-revoked-key") as gyms:
        with pytest.raises(UpstreamUnauthorized):
            await gyms.get_gym("gym-1")
