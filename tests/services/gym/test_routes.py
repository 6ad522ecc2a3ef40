"""The gym service's routes: reading a gym, and every way a pricing request can go wrong."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import assert_error, set_state

MONDAY_NOON = "2025-01-13T12:00:00Z"


async def test_a_gym_reads_back_with_its_booking_rules(gyms: httpx.AsyncClient) -> None:
    await set_state(
        gyms,
        "a gym exists",
        gymId="gym-7",
        name="Harbour Loft",
        timezone="America/New_York",
        requiresApproval=True,
        noiseSensitive=True,
        adminEmail="owner@harbourloft.example",
        maxGuests=2,
        opens="07:00",
        closes="23:00",
        creditsPerHour=12,
        peakCreditsPerHour=18,
    )

    response = await gyms.get("/internal/gyms/gym-7")

    assert response.status_code == 200
    gym = response.json()
    assert gym["id"] == "gym-7"
    assert gym["name"] == "Harbour Loft"
    assert gym["timezone"] == "America/New_York"
    assert gym["status"] == "ACTIVE"
    assert (gym["requiresApproval"], gym["noiseSensitive"]) == (True, True)
    assert gym["adminEmail"] == "owner@harbourloft.example"
    assert gym["maxGuests"] == 2
    assert gym["openingHours"] == {"opens": "07:00", "closes": "23:00"}
    assert gym["pricing"]["creditsPerHour"] == 12
    assert gym["pricing"]["peakCreditsPerHour"] == 18
    assert {"days": ["SAT", "SUN"], "starts": "09:00", "ends": "13:00"} in gym["pricing"]["peakHours"]
    assert gym["createdAt"].endswith("Z")


async def test_an_unknown_gym_is_not_found(gyms: httpx.AsyncClient) -> None:
    body = assert_error(await gyms.get("/internal/gyms/gym-404"), 404, "NOT_FOUND")
    assert "gym-404" in body.message


async def test_pricing_an_unknown_gym_is_not_found(gyms: httpx.AsyncClient) -> None:
    response = await gyms.get("/internal/gyms/gym-404/pricing", params={"startsAt": MONDAY_NOON, "durationMinutes": 60})
    assert_error(response, 404, "NOT_FOUND")


async def test_a_gym_id_that_is_not_an_id_is_refused(gyms: httpx.AsyncClient) -> None:
    body = assert_error(await gyms.get("/internal/gyms/gym%20one"), 400, "VALIDATION_ERROR")
    assert body.details is not None
    assert [detail.field for detail in body.details] == ["path.gymId"]


async def test_a_closed_gym_reads_back_but_prices_no_slot(gyms: httpx.AsyncClient) -> None:
    await set_state(gyms, "a gym is closed", gymId="gym-1")

    assert (await gyms.get("/internal/gyms/gym-1")).json()["status"] == "CLOSED"
    response = await gyms.get("/internal/gyms/gym-1/pricing", params={"startsAt": MONDAY_NOON, "durationMinutes": 60})
    assert_error(response, 409, "CONFLICT")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"durationMinutes": 60}, "query.startsAt"),
        ({"startsAt": MONDAY_NOON}, "query.durationMinutes"),
        ({"startsAt": "2025-01-13T12:00:00", "durationMinutes": 60}, "query.startsAt"),
        ({"startsAt": "2025-01-13 12:00:00 00:00", "durationMinutes": 60}, "query.startsAt"),
        ({"startsAt": "tomorrow", "durationMinutes": 60}, "query.startsAt"),
        ({"startsAt": "2999-01-13T12:00:00Z", "durationMinutes": 60}, "query.startsAt"),
        ({"startsAt": "1999-12-31T12:00:00Z", "durationMinutes": 60}, "query.startsAt"),
        ({"startsAt": "0001-01-01T00:00:00+01:00", "durationMinutes": 60}, "query.startsAt"),
        ({"startsAt": MONDAY_NOON, "durationMinutes": "an hour"}, "query.durationMinutes"),
        ({"startsAt": MONDAY_NOON, "durationMinutes": 0}, "query.durationMinutes"),
        ({"startsAt": MONDAY_NOON, "durationMinutes": 10**12}, "query.durationMinutes"),
    ],
    ids=[
        "no start",
        "no duration",
        "start without offset",
        "unencoded plus sign",
        "start not a time",
        "start centuries ahead",
        "start last century",
        "start before year one in UTC",
        "duration not a number",
        "duration zero",
        "duration enormous",
    ],
)
async def test_a_malformed_pricing_query_names_the_field(
    gyms: httpx.AsyncClient, params: dict[str, object], field: str
) -> None:
    await set_state(gyms, "a gym exists", gymId="gym-1")

    body = assert_error(await gyms.get("/internal/gyms/gym-1/pricing", params=params), 400, "VALIDATION_ERROR")

    assert body.details is not None
    assert [detail.field for detail in body.details] == [field]


@pytest.mark.parametrize(
    ("starts_at", "duration", "field", "kind"),
    [
        (MONDAY_NOON, 15, "query.durationMinutes", "slot_duration"),
        (MONDAY_NOON, 195, "query.durationMinutes", "slot_duration"),
        (MONDAY_NOON, 50, "query.durationMinutes", "slot_granularity"),
        ("2025-01-13T12:05:00Z", 60, "query.startsAt", "slot_alignment"),
        ("2025-01-13T12:00:30Z", 60, "query.startsAt", "slot_alignment"),
        ("2025-01-13T05:30:00Z", 60, "query.startsAt", "outside_opening_hours"),
        ("2025-01-13T21:30:00Z", 60, "query.startsAt", "outside_opening_hours"),
    ],
    ids=[
        "too short",
        "too long",
        "not a multiple of the slot length",
        "start off the quarter hour",
        "start with seconds",
        "before opening",
        "past closing",
    ],
)
async def test_a_slot_the_gym_does_not_offer_is_refused_naming_the_rule(
    gyms: httpx.AsyncClient, starts_at: str, duration: int, field: str, kind: str
) -> None:
    await set_state(gyms, "a gym exists", gymId="gym-1", opens="06:00", closes="22:00", maxDurationMinutes=180)

    params = {"startsAt": starts_at, "durationMinutes": duration}
    response = await gyms.get("/internal/gyms/gym-1/pricing", params=params)

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body.details is not None
    assert [(detail.field, detail.type) for detail in body.details] == [(field, kind)]


async def test_a_slot_may_end_exactly_at_closing_time(gyms: httpx.AsyncClient) -> None:
    await set_state(gyms, "a gym exists", gymId="gym-1", timezone="Europe/London", opens="06:00", closes="22:00")

    response = await gyms.get(
        "/internal/gyms/gym-1/pricing", params={"startsAt": "2025-01-13T21:00:00Z", "durationMinutes": 60}
    )

    assert response.status_code == 200, response.text


async def test_a_slot_cannot_run_past_midnight_into_the_next_day(gyms: httpx.AsyncClient) -> None:
    await set_state(gyms, "a gym exists", gymId="gym-1", timezone="Europe/London", opens="06:00", closes="24:00")

    until_midnight = await gyms.get(
        "/internal/gyms/gym-1/pricing", params={"startsAt": "2025-01-13T23:00:00Z", "durationMinutes": 60}
    )
    past_midnight = await gyms.get(
        "/internal/gyms/gym-1/pricing", params={"startsAt": "2025-01-13T23:00:00Z", "durationMinutes": 120}
    )

    assert until_midnight.status_code == 200, until_midnight.text
    body = assert_error(past_midnight, 400, "VALIDATION_ERROR")
    assert body.details is not None
    assert body.details[0].type == "outside_opening_hours"


async def test_slots_align_to_the_gyms_clock_not_to_utc(gyms: httpx.AsyncClient) -> None:
    await set_state(gyms, "a gym exists", gymId="gym-k", timezone="Asia/Kathmandu", slotMinutes=30)

    on_the_local_hour = await gyms.get(  # 04:15Z is 10:00 in Kathmandu (UTC+05:45)
        "/internal/gyms/gym-k/pricing", params={"startsAt": "2025-01-13T04:15:00Z", "durationMinutes": 60}
    )
    on_the_utc_half_hour = await gyms.get(  # 04:30Z is 10:15 there
        "/internal/gyms/gym-k/pricing", params={"startsAt": "2025-01-13T04:30:00Z", "durationMinutes": 60}
    )

    assert on_the_local_hour.status_code == 200, on_the_local_hour.text
    assert on_the_local_hour.json()["localStartsAt"] == "2025-01-13T10:00:00+05:45"
    body = assert_error(on_the_utc_half_hour, 400, "VALIDATION_ERROR")
    assert body.details is not None
    assert body.details[0].type == "slot_alignment"


async def test_every_reason_a_slot_is_refused_is_listed_at_once(gyms: httpx.AsyncClient) -> None:
    await set_state(gyms, "a gym exists", gymId="gym-1")

    response = await gyms.get(
        "/internal/gyms/gym-1/pricing", params={"startsAt": "2025-01-13T12:10:00Z", "durationMinutes": 20}
    )

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body.details is not None
    assert {detail.field for detail in body.details} == {"query.startsAt", "query.durationMinutes"}


async def test_the_routes_need_a_service_key(gyms: httpx.AsyncClient) -> None:
    await set_state(gyms, "a gym exists", gymId="gym-1")

    missing = await gyms.get("/internal/gyms/gym-1", headers={"x-api-key": ""})
    del gyms.headers["x-api-key"]
    absent = await gyms.get("/internal/gyms/gym-1/pricing", params={"startsAt": MONDAY_NOON, "durationMinutes": 60})
    wrong = await gyms.get("/internal/gyms/gym-1", headers={"x-api-key": "not-the-key"})

    for response in (missing, absent, wrong):
        assert_error(response, 401, "UNAUTHORIZED")
