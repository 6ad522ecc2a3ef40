"""The session service's provider states, as the user service's pacts name them."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import httpx

from tests.helpers import assert_error, set_state


async def test_the_seeds_own_state_gives_user_123_two_upcoming_confirmed_sessions(
    sessions: httpx.AsyncClient,
) -> None:
    values = await set_state(sessions, "user has active sessions")

    page = (await sessions.get("/internal/sessions/by-user/123")).json()

    assert page["total"] == 2
    assert len(page["sessions"]) == 2
    assert {session["status"] for session in page["sessions"]} == {"CONFIRMED"}
    assert all(datetime.fromisoformat(session["startsAt"]) > datetime.now(UTC) for session in page["sessions"])
    assert sorted(values["sessionIds"]) == sorted(session["id"] for session in page["sessions"])
    assert (values["userId"], values["count"]) == ("123", 2)


async def test_active_sessions_take_the_user_and_count_asked_for(sessions: httpx.AsyncClient) -> None:
    await set_state(sessions, "user has active sessions", userId="ada", count=3)

    assert (await sessions.get("/internal/sessions/by-user/ada")).json()["total"] == 3
    assert (await sessions.get("/internal/sessions/by-user/123")).json()["total"] == 0


async def test_setting_up_active_sessions_again_replaces_the_users_sessions(sessions: httpx.AsyncClient) -> None:
    await set_state(sessions, "user has active sessions", userId="123", count=4)
    await set_state(sessions, "user has active sessions", userId="123", count=1)

    assert (await sessions.get("/internal/sessions/by-user/123")).json()["total"] == 1


async def test_active_sessions_push_aside_other_users_sessions_in_their_slots(sessions: httpx.AsyncClient) -> None:
    await set_state(sessions, "user has active sessions", userId="456", count=1)
    await set_state(sessions, "user has active sessions", userId="123", count=1)

    assert (await sessions.get("/internal/sessions/by-user/123")).json()["total"] == 1
    assert (await sessions.get("/internal/sessions/by-user/456")).json()["total"] == 0


async def test_user_has_no_sessions_empties_the_users_list(sessions: httpx.AsyncClient) -> None:
    await set_state(sessions, "user has active sessions", userId="123", count=2)
    values = await set_state(sessions, "user has no sessions", userId="123")

    assert values == {"userId": "123"}
    assert (await sessions.get("/internal/sessions/by-user/123")).json()["sessions"] == []


async def test_sessions_in_every_status_are_returned_by_status(sessions: httpx.AsyncClient) -> None:
    values = await set_state(sessions, "user has sessions in every status", userId="123")

    assert values["total"] == 4
    for status, ids in values["sessionIds"].items():
        assert [(await sessions.get(f"/internal/sessions/{ids[0]}")).json()["status"]] == [status]


async def test_a_session_exists_gives_a_known_id(sessions: httpx.AsyncClient) -> None:
    values = await set_state(sessions, "a session exists")

    assert values == {
        "sessionId": "session-1",
        "userId": "123",
        "gymId": "gym-1",
        "startsAt": "2030-01-07T10:00:00Z",
        "endsAt": "2030-01-07T11:00:00Z",
    }
    session = (await sessions.get("/internal/sessions/session-1")).json()
    assert (session["status"], session["startsAt"]) == ("CONFIRMED", "2030-01-07T10:00:00Z")


async def test_a_booked_slot_conflicts_with_a_check_of_that_slot(sessions: httpx.AsyncClient) -> None:
    values = await set_state(sessions, "a gym slot is booked", gymId="gym-3")

    check = {"gymId": "gym-3", "startsAt": values["startsAt"], "endsAt": values["endsAt"]}
    answer = (await sessions.post("/internal/sessions/conflicts", json=check)).json()

    assert answer["hasConflict"] is True
    assert [conflict["id"] for conflict in answer["conflicts"]] == [values["sessionId"]]


async def test_booking_a_taken_slot_in_a_state_replaces_the_session_holding_it(sessions: httpx.AsyncClient) -> None:
    await set_state(sessions, "a gym slot is booked", sessionId="first", guests="grace@example.com")
    await set_state(sessions, "a gym slot is booked", sessionId="second", startsAt="2030-01-07T10:30:00Z")

    assert_error(await sessions.get("/internal/sessions/first"), 404, "NOT_FOUND")
    assert (await sessions.get("/internal/sessions/second")).status_code == 200


async def test_no_session_exists_leaves_every_id_unknown_and_every_slot_free(sessions: httpx.AsyncClient) -> None:
    await set_state(sessions, "no session exists")

    assert_error(await sessions.get("/internal/sessions/session-1"), 404, "NOT_FOUND")
    slot = {"gymId": "gym-1", "startsAt": "2030-01-07T10:00:00Z", "endsAt": "2030-01-07T11:00:00Z"}
    assert (await sessions.post("/internal/sessions/conflicts", json=slot)).json()["hasConflict"] is False


async def test_teardown_removes_what_a_state_set_up(sessions: httpx.AsyncClient) -> None:
    await set_state(sessions, "a session exists", guests="grace@example.com")
    response = await sessions.post("/_pact/provider-states", json={"state": "a session exists", "action": "teardown"})

    assert response.status_code == 200
    assert_error(await sessions.get("/internal/sessions/session-1"), 404, "NOT_FOUND")


async def test_a_state_with_impossible_params_is_refused_with_400(sessions: httpx.AsyncClient) -> None:
    for state, params in [
        ("user has active sessions", {"count": -1}),
        ("user has active sessions", {"count": "many"}),
        ("a session exists", {"status": "BOOKED"}),
        ("a session exists", {"startsAt": "2030-01-07T10:00:00"}),
        ("a session exists", {"sessionId": "x" * 65}),
        ("user has no sessions", {"userId": "../etc"}),
    ]:
        response = await sessions.post("/_pact/provider-states", json={"state": state, "params": params})
        assert_error(response, 400, "VALIDATION_ERROR")


async def test_the_states_are_listed_with_their_parameters(sessions: httpx.AsyncClient) -> None:
    response = await sessions.get("/_pact/provider-states")

    assert response.status_code == 200
    states = {state["name"]: state for state in response.json()["states"]}
    assert set(states) == {
        "user has active sessions",
        "user has no sessions",
        "user has sessions in every status",
        "a session exists",
        "a gym slot is booked",
        "no session exists",
        "someone waits for the session's slot",
        "the gym and the members are known",
    }
    assert states["user has active sessions"]["params"]["count"]["default"] == 2


async def test_the_message_route_builds_a_described_event_with_the_services_own_code(
    sessions: httpx.AsyncClient,
) -> None:
    """What the verifier's message transport asks: the event a message pact describes, under its states."""
    await set_state(sessions, "a session exists", sessionId="session-1", status="CONFIRMED")
    await set_state(sessions, "the gym and the members are known", gymName="Field Street Gym", memberName="Ada")

    response = await sessions.post(
        "/_pact/messages",
        json={"description": "session.approved: the gym approved a session", "providerStates": [{"name": "x"}]},
    )

    assert response.status_code == 200
    assert response.json()["gym"]["name"] == "Field Street Gym"
    assert response.json()["member"] == {"userId": "123", "name": "Ada"}
    metadata = json.loads(base64.b64decode(response.headers["pact-message-metadata"]))
    assert (metadata["eventName"], metadata["eventVersion"]) == ("session.approved", "1")


async def test_the_message_route_refuses_an_event_it_does_not_build_naming_those_it_does(
    sessions: httpx.AsyncClient,
) -> None:
    response = await sessions.post("/_pact/messages", json={"description": "session.exploded: boom"})

    assert response.status_code == 400
    assert "session.approved" in response.json()["message"]
    assert (await sessions.post("/_pact/messages", content=b"{")).status_code == 400
