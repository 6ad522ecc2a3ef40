"""The gym service's provider states, as the session service's pacts name them."""

from __future__ import annotations

import httpx

from tests.helpers import assert_error, set_state


async def test_a_gym_exists_seeds_an_active_gym_with_sensible_defaults(gyms: httpx.AsyncClient) -> None:
    values = await set_state(gyms, "a gym exists")

    gym = (await gyms.get(f"/internal/gyms/{values['gymId']}")).json()
    assert values == {
        "gymId": "gym-1",
        "timezone": "Europe/London",
        "adminEmail": "admin@fieldstreetgym.example",
        "startsAt": "2030-01-07T06:00:00Z",
        "durationMinutes": 30,
    }
    priced = await gyms.get(
        f"/internal/gyms/{values['gymId']}/pricing",
        params={"startsAt": values["startsAt"], "durationMinutes": values["durationMinutes"]},
    )
    assert priced.status_code == 200, priced.text  # the slot the state names is one the gym prices
    assert gym["status"] == "ACTIVE"
    assert (gym["requiresApproval"], gym["noiseSensitive"]) == (False, False)


async def test_approval_and_noise_states_set_their_flag(gyms: httpx.AsyncClient) -> None:
    await set_state(gyms, "a gym requires approval", gymId="gym-a")
    await set_state(gyms, "a gym is noise sensitive", gymId="gym-n")

    approval = (await gyms.get("/internal/gyms/gym-a")).json()
    noisy = (await gyms.get("/internal/gyms/gym-n")).json()
    assert (approval["requiresApproval"], approval["noiseSensitive"]) == (True, False)
    assert (noisy["requiresApproval"], noisy["noiseSensitive"]) == (False, True)


async def test_flags_arrive_as_strings_from_the_query_string_form_too(gyms: httpx.AsyncClient) -> None:
    response = await gyms.post(
        "/_pact/provider-states",
        params={"state": "a gym exists", "gymId": "gym-q", "requiresApproval": "true", "maxGuests": "5"},
    )

    assert response.status_code == 200, response.text
    gym = (await gyms.get("/internal/gyms/gym-q")).json()
    assert (gym["requiresApproval"], gym["maxGuests"]) == (True, 5)


async def test_setting_up_a_gym_twice_replaces_it(gyms: httpx.AsyncClient) -> None:
    await set_state(gyms, "a gym exists", gymId="gym-1", name="First")
    await set_state(gyms, "a gym requires approval", gymId="gym-1", name="Second")

    gym = (await gyms.get("/internal/gyms/gym-1")).json()
    assert (gym["name"], gym["requiresApproval"]) == ("Second", True)


async def test_no_gym_exists_leaves_every_gym_unknown(gyms: httpx.AsyncClient) -> None:
    await set_state(gyms, "a gym exists", gymId="gym-1")
    await gyms.post("/_pact/provider-states", json={"state": "a gym exists", "action": "teardown"})
    await set_state(gyms, "no gym exists")

    assert_error(await gyms.get("/internal/gyms/gym-1"), 404, "NOT_FOUND")


async def test_a_gym_state_with_impossible_rules_is_refused_with_400(gyms: httpx.AsyncClient) -> None:
    for params in (
        {"timezone": "Mars/Olympus_Mons"},
        {"opens": "22:00", "closes": "06:00"},
        {"opens": "25:00"},
        {"gymId": "gym one"},
    ):
        response = await gyms.post("/_pact/provider-states", json={"state": "a gym exists", "params": params})
        assert_error(response, 400, "VALIDATION_ERROR")


async def test_the_states_are_listed_with_their_parameters(gyms: httpx.AsyncClient) -> None:
    response = await gyms.get("/_pact/provider-states")

    assert response.status_code == 200
    states = {state["name"]: state for state in response.json()["states"]}
    assert set(states) == {
        "a gym exists",
        "a gym requires approval",
        "a gym is noise sensitive",
        "a gym is closed",
        "no gym exists",
    }
    assert states["a gym exists"]["params"]["requiresApproval"]["default"] is False
