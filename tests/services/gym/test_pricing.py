"""Slot pricing: hourly rates, peak hours on the gym's own clock, DST, rounding."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import set_state

NO_PEAK_HOURS: list[dict[str, object]] = []
SUNDAY_SMALL_HOURS = [{"days": ["SUN"], "starts": "03:00", "ends": "04:00"}]


async def price(gyms: httpx.AsyncClient, starts_at: str, duration: int, gym_id: str = "gym-1") -> dict:
    response = await gyms.get(
        f"/internal/gyms/{gym_id}/pricing", params={"startsAt": starts_at, "durationMinutes": duration}
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
async def london(gyms: httpx.AsyncClient) -> httpx.AsyncClient:
    """Field Street Gym: 10 credits an hour, 15 in peak hours (weekdays 06-09 and 17-21, weekends 09-13)."""
    await set_state(gyms, "a gym exists", gymId="gym-1", timezone="Europe/London", creditsPerHour=10)
    return gyms


async def test_an_off_peak_hour_costs_the_hourly_rate(london: httpx.AsyncClient) -> None:
    quote = await price(london, "2025-01-15T12:00:00Z", 60)

    assert quote["priceCredits"] == 10
    assert quote["peak"] is False
    assert quote["peakMinutes"] == 0
    assert (quote["startsAt"], quote["endsAt"]) == ("2025-01-15T12:00:00Z", "2025-01-15T13:00:00Z")
    assert (quote["creditsPerHour"], quote["peakCreditsPerHour"]) == (10, 15)
    assert quote["gymId"] == "gym-1"


async def test_a_peak_hour_costs_the_peak_rate(london: httpx.AsyncClient) -> None:
    quote = await price(london, "2025-01-15T18:00:00Z", 60)

    assert (quote["priceCredits"], quote["peak"], quote["peakMinutes"]) == (15, True, 60)


async def test_a_slot_straddling_the_peak_pays_each_part_at_its_rate_rounded_up(london: httpx.AsyncClient) -> None:
    quote = await price(london, "2025-01-15T16:30:00Z", 60)  # 30 min at 10/h + 30 min at 15/h = 12.5

    assert (quote["priceCredits"], quote["peak"], quote["peakMinutes"]) == (13, True, 30)


async def test_price_grows_with_the_duration(london: httpx.AsyncClient) -> None:
    quotes = [await price(london, "2025-01-15T10:00:00Z", minutes) for minutes in (30, 60, 90, 120)]

    assert [quote["priceCredits"] for quote in quotes] == [5, 10, 15, 20]


async def test_weekends_have_their_own_peak_hours(london: httpx.AsyncClient) -> None:
    saturday_morning = await price(london, "2025-01-18T10:00:00Z", 60)
    saturday_evening = await price(london, "2025-01-18T18:00:00Z", 60)

    assert saturday_morning["peak"] is True
    assert saturday_evening["peak"] is False


async def test_the_same_utc_hour_is_peak_in_summer_and_off_peak_in_winter(london: httpx.AsyncClient) -> None:
    winter = await price(london, "2025-01-15T16:00:00Z", 60)  # 16:00 GMT
    summer = await price(london, "2025-07-16T16:00:00Z", 60)  # 17:00 BST

    assert (winter["peak"], winter["priceCredits"], winter["localStartsAt"]) == (
        False,
        10,
        "2025-01-15T16:00:00+00:00",
    )
    assert (summer["peak"], summer["priceCredits"], summer["localStartsAt"]) == (
        True,
        15,
        "2025-07-16T17:00:00+01:00",
    )


async def test_peak_hours_follow_the_local_clock_across_the_clock_change(london: httpx.AsyncClient) -> None:
    saturday_before = await price(london, "2025-03-29T08:30:00Z", 30)  # 08:30 GMT: before the 09:00 peak
    sunday_after = await price(london, "2025-03-30T08:30:00Z", 30)  # 09:30 BST, clocks went forward at 01:00Z

    assert saturday_before["peak"] is False
    assert sunday_after["peak"] is True
    assert sunday_after["localStartsAt"] == "2025-03-30T09:30:00+01:00"


async def test_peak_hours_are_the_gyms_local_hours_wherever_it_is(gyms: httpx.AsyncClient) -> None:
    await set_state(gyms, "a gym exists", gymId="gym-ny", timezone="America/New_York")

    quote = await price(gyms, "2025-01-15T22:00:00Z", 60, gym_id="gym-ny")  # 17:00 EST

    assert (quote["peak"], quote["priceCredits"], quote["localStartsAt"]) == (True, 15, "2025-01-15T17:00:00-05:00")


@pytest.mark.parametrize(
    ("starts_at", "local_start"),
    [
        ("2025-03-30T00:30:00Z", "2025-03-30T01:30:00+01:00"),  # 01:30 CET -> 04:30 CEST: 3 h on the wall clock
        ("2025-10-26T00:00:00Z", "2025-10-26T02:00:00+02:00"),  # 02:00 CEST -> 03:00 CET: 1 h on the wall clock
    ],
    ids=["spring forward", "fall back"],
)
async def test_a_slot_across_a_clock_change_costs_its_real_length(
    gyms: httpx.AsyncClient, starts_at: str, local_start: str
) -> None:
    await set_state(
        gyms,
        "a gym exists",
        gymId="gym-24",
        timezone="Europe/Berlin",
        opens="00:00",
        closes="24:00",
        peakHours=NO_PEAK_HOURS,
    )

    quote = await price(gyms, starts_at, 120, gym_id="gym-24")

    assert quote["localStartsAt"] == local_start
    assert quote["priceCredits"] == 20  # two elapsed hours at 10/h, whatever the wall clock says


async def test_peak_minutes_are_counted_on_the_wall_clock_through_a_clock_change(gyms: httpx.AsyncClient) -> None:
    await set_state(
        gyms,
        "a gym exists",
        gymId="gym-24",
        timezone="Europe/Berlin",
        opens="00:00",
        closes="24:00",
        peakHours=SUNDAY_SMALL_HOURS,
    )

    # 01:30-02:00 CET off-peak, then the clocks jump to 03:00 CEST: 03:00-04:00 peak, 04:00-04:30 off-peak.
    quote = await price(gyms, "2025-03-30T00:30:00Z", 120, gym_id="gym-24")

    assert quote["peakMinutes"] == 60
    assert quote["priceCredits"] == 25  # 60 min at 10/h + 60 min at 15/h


async def test_a_free_gym_prices_slots_at_zero(gyms: httpx.AsyncClient) -> None:
    await set_state(gyms, "a gym exists", gymId="gym-free", creditsPerHour=0, peakCreditsPerHour=0)

    assert (await price(gyms, "2025-01-15T18:00:00Z", 60, gym_id="gym-free"))["priceCredits"] == 0
