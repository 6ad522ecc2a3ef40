"""The session service's routes: reading a session, checking a slot, listing a user's sessions."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from tests.helpers import assert_error, set_state

SLOT = {"gymId": "gym-1", "startsAt": "2030-01-07T10:00:00Z", "endsAt": "2030-01-07T11:00:00Z"}


async def book(sessions: httpx.AsyncClient, session_id: str, starts_at: str, **params: object) -> dict:
    return await set_state(sessions, "a session exists", sessionId=session_id, startsAt=starts_at, **params)


async def conflicts(sessions: httpx.AsyncClient, **slot: object) -> dict:
    response = await sessions.post("/internal/sessions/conflicts", json={**SLOT, **slot})
    assert response.status_code == 200, response.text
    return response.json()


async def list_sessions(sessions: httpx.AsyncClient, user_id: str = "123", **params: object) -> dict:
    response = await sessions.get(f"/internal/sessions/by-user/{user_id}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


# -- one session ---------------------------------------------------------------------------


async def test_a_session_reads_back_with_its_slot_price_and_guests(sessions: httpx.AsyncClient) -> None:
    await book(
        sessions,
        "s-1",
        "2030-01-07T10:00:00+01:00",
        userId="123",
        gymId="gym-9",
        durationMinutes=90,
        priceCredits=15,
        guests="grace@example.com, alan@example.com",
    )

    response = await sessions.get("/internal/sessions/s-1")

    assert response.status_code == 200
    session = response.json()
    assert (session["id"], session["userId"], session["gymId"]) == ("s-1", "123", "gym-9")
    assert session["status"] == "CONFIRMED"
    assert (session["startsAt"], session["endsAt"]) == ("2030-01-07T09:00:00Z", "2030-01-07T10:30:00Z")
    assert (session["durationMinutes"], session["priceCredits"]) == (90, 15)
    assert sorted(guest["email"] for guest in session["guests"]) == ["alan@example.com", "grace@example.com"]
    assert session["cancelledAt"] is None
    assert session["createdAt"].endswith("Z")


async def test_a_cancelled_session_says_when_it_was_cancelled(sessions: httpx.AsyncClient) -> None:
    await book(sessions, "s-1", "2030-01-07T10:00:00Z", status="CANCELLED")

    session = (await sessions.get("/internal/sessions/s-1")).json()

    assert session["status"] == "CANCELLED"
    assert session["cancelledAt"].endswith("Z")


async def test_an_unknown_session_is_not_found(sessions: httpx.AsyncClient) -> None:
    body = assert_error(await sessions.get("/internal/sessions/s-404"), 404, "NOT_FOUND")
    assert "s-404" in body.message


async def test_a_session_id_that_is_not_an_id_is_refused(sessions: httpx.AsyncClient) -> None:
    body = assert_error(await sessions.get("/internal/sessions/%27%20OR%201%3D1"), 400, "VALIDATION_ERROR")
    assert body.details is not None
    assert [detail.field for detail in body.details] == ["path.sessionId"]


# -- conflicts -----------------------------------------------------------------------------


async def test_a_free_slot_has_no_conflict(sessions: httpx.AsyncClient) -> None:
    assert await conflicts(sessions) == {"hasConflict": False, "conflicts": []}


async def test_an_overlapping_session_is_a_conflict_and_is_named(sessions: httpx.AsyncClient) -> None:
    await book(sessions, "s-1", "2030-01-07T10:30:00Z", durationMinutes=60)

    answer = await conflicts(sessions)

    assert answer == {
        "hasConflict": True,
        "conflicts": [
            {
                "id": "s-1",
                "status": "CONFIRMED",
                "startsAt": "2030-01-07T10:30:00Z",
                "endsAt": "2030-01-07T11:30:00Z",
            }
        ],
    }


@pytest.mark.parametrize(
    ("starts_at", "duration"),
    [("2030-01-07T09:00:00Z", 120), ("2030-01-07T10:15:00Z", 15), ("2030-01-07T08:00:00Z", 240)],
    ids=["overlapping the start", "inside the slot", "around the slot"],
)
async def test_any_overlap_is_a_conflict(sessions: httpx.AsyncClient, starts_at: str, duration: int) -> None:
    await book(sessions, "s-1", starts_at, durationMinutes=duration)

    assert (await conflicts(sessions))["hasConflict"] is True


async def test_back_to_back_sessions_do_not_conflict(sessions: httpx.AsyncClient) -> None:
    await book(sessions, "before", "2030-01-07T09:00:00Z", durationMinutes=60)
    await book(sessions, "after", "2030-01-07T11:00:00Z", durationMinutes=60)

    assert await conflicts(sessions) == {"hasConflict": False, "conflicts": []}


async def test_intervals_with_offsets_are_compared_as_instants(sessions: httpx.AsyncClient) -> None:
    await book(sessions, "s-1", "2030-01-07T10:00:00Z")

    overlapping = await conflicts(sessions, startsAt="2030-01-07T11:30:00+02:00", endsAt="2030-01-07T12:30:00+02:00")
    touching = await conflicts(sessions, startsAt="2030-01-07T13:00:00+02:00", endsAt="2030-01-07T14:00:00+02:00")

    assert overlapping["hasConflict"] is True
    assert touching["hasConflict"] is False


@pytest.mark.parametrize(
    ("status", "holds_the_slot"),
    [("PENDING_APPROVAL", True), ("CONFIRMED", True), ("CANCELLED", False), ("COMPLETED", False)],
)
async def test_only_pending_and_confirmed_sessions_hold_their_slot(
    sessions: httpx.AsyncClient, status: str, holds_the_slot: bool
) -> None:
    await book(sessions, "s-1", "2030-01-07T10:00:00Z", status=status)

    assert (await conflicts(sessions))["hasConflict"] is holds_the_slot


async def test_sessions_in_other_gyms_do_not_conflict(sessions: httpx.AsyncClient) -> None:
    await book(sessions, "s-1", "2030-01-07T10:00:00Z", gymId="gym-2")

    assert (await conflicts(sessions, gymId="gym-1"))["hasConflict"] is False
    assert (await conflicts(sessions, gymId="gym-2"))["hasConflict"] is True


async def test_the_excluded_session_does_not_conflict_with_itself_but_others_still_do(
    sessions: httpx.AsyncClient,
) -> None:
    await book(sessions, "moving", "2030-01-07T10:00:00Z", durationMinutes=30)
    await book(sessions, "other", "2030-01-07T10:30:00Z", durationMinutes=30)

    alone = await conflicts(sessions, endsAt="2030-01-07T10:30:00Z", excludeSessionId="moving")
    crowded = await conflicts(sessions, excludeSessionId="moving")
    unknown_excluded = await conflicts(sessions, excludeSessionId="nobody")

    assert alone == {"hasConflict": False, "conflicts": []}
    assert [conflict["id"] for conflict in crowded["conflicts"]] == ["other"]
    assert [conflict["id"] for conflict in unknown_excluded["conflicts"]] == ["moving", "other"]


async def test_conflicts_are_listed_earliest_first(sessions: httpx.AsyncClient) -> None:
    for session_id, starts_at in [("c", "2030-01-07T10:45:00Z"), ("a", "2030-01-07T10:00:00Z")]:
        await book(sessions, session_id, starts_at, durationMinutes=15)
    await book(sessions, "b", "2030-01-07T10:15:00Z", durationMinutes=15, status="PENDING_APPROVAL")

    answer = await conflicts(sessions)

    assert [(c["id"], c["status"]) for c in answer["conflicts"]] == [
        ("a", "CONFIRMED"),
        ("b", "PENDING_APPROVAL"),
        ("c", "CONFIRMED"),
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"endsAt": "2030-01-07T09:00:00Z"}, "body.endsAt"),
        ({"endsAt": SLOT["startsAt"]}, "body.endsAt"),
        ({"endsAt": "2030-01-08T10:00:01Z"}, "body.endsAt"),
        ({"startsAt": "2030-01-07T10:00:00"}, "body.startsAt"),
        ({"startsAt": "soon"}, "body.startsAt"),
        ({"startsAt": "0001-01-01T00:00:00+01:00"}, "body.startsAt"),
        ({"endsAt": "9999-12-31T23:00:00-01:00"}, "body.endsAt"),
        ({"gymId": ""}, "body.gymId"),
        ({"gymId": 7}, "body.gymId"),
        ({"gymId": "gym/../../etc"}, "body.gymId"),
        ({"excludeSessionId": ["s-1"]}, "body.excludeSessionId"),
        ({"hasConflict": False}, "body.hasConflict"),
    ],
    ids=[
        "ends before it starts",
        "empty interval",
        "longer than a day",
        "start without offset",
        "start not a time",
        "start before year one in UTC",
        "end after the last representable year in UTC",
        "empty gym id",
        "gym id a number",
        "gym id with slashes",
        "excluded id a list",
        "unknown field",
    ],
)
async def test_a_malformed_conflict_check_names_the_field(
    sessions: httpx.AsyncClient, change: dict[str, object], field: str
) -> None:
    response = await sessions.post("/internal/sessions/conflicts", json={**SLOT, **change})

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body.details is not None
    assert [detail.field for detail in body.details] == [field]


async def test_a_conflict_check_without_all_its_fields_names_each_missing_one(sessions: httpx.AsyncClient) -> None:
    body = assert_error(await sessions.post("/internal/sessions/conflicts", json={}), 400, "VALIDATION_ERROR")

    assert body.details is not None
    assert {detail.field for detail in body.details} == {"body.gymId", "body.startsAt", "body.endsAt"}


async def test_a_conflict_check_that_is_not_json_is_refused_with_a_4xx(sessions: httpx.AsyncClient) -> None:
    malformed = await sessions.post(
        "/internal/sessions/conflicts", content=b'{"gymId": "gym-1",', headers={"content-type": "application/json"}
    )
    not_an_object = await sessions.post("/internal/sessions/conflicts", json=["gym-1"])
    as_a_form = await sessions.post("/internal/sessions/conflicts", data={"gymId": "gym-1"})
    oversized = await sessions.post("/internal/sessions/conflicts", json={**SLOT, "padding": "x" * 2_000_000})

    assert_error(malformed, 400, "VALIDATION_ERROR")
    assert_error(not_an_object, 400, "VALIDATION_ERROR")
    assert_error(as_a_form, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert_error(oversized, 413, "PAYLOAD_TOO_LARGE")


# -- a user's sessions ---------------------------------------------------------------------


async def test_a_users_sessions_come_latest_slot_first(sessions: httpx.AsyncClient) -> None:
    await book(sessions, "middle", "2030-01-08T10:00:00Z")
    await book(sessions, "latest", "2030-01-09T10:00:00Z")
    await book(sessions, "earliest", "2030-01-07T10:00:00Z", status="COMPLETED")

    page = await list_sessions(sessions, "123")

    assert [session["id"] for session in page["sessions"]] == ["latest", "middle", "earliest"]
    assert (page["page"], page["pageSize"], page["total"]) == (1, 20, 3)


async def test_pages_split_the_list_without_gaps_or_repeats_and_keep_the_total(sessions: httpx.AsyncClient) -> None:
    await set_state(sessions, "user has active sessions", userId="123", count=5)

    pages = [await list_sessions(sessions, "123", page=number, pageSize=2) for number in (1, 2, 3, 4)]

    assert [len(page["sessions"]) for page in pages] == [2, 2, 1, 0]
    assert {page["total"] for page in pages} == {5}
    assert [(page["page"], page["pageSize"]) for page in pages] == [(1, 2), (2, 2), (3, 2), (4, 2)]
    starts = [session["startsAt"] for page in pages for session in page["sessions"]]
    assert len(set(starts)) == 5
    assert starts == sorted(starts, key=datetime.fromisoformat, reverse=True)


async def test_the_status_filter_lists_and_counts_only_that_status(sessions: httpx.AsyncClient) -> None:
    await set_state(sessions, "user has sessions in every status", userId="123", perStatus=2)

    cancelled = await list_sessions(sessions, "123", status="CANCELLED", pageSize=1)
    everything = await list_sessions(sessions, "123")

    assert cancelled["total"] == 2
    assert [session["status"] for session in cancelled["sessions"]] == ["CANCELLED"]
    assert everything["total"] == 8
    assert {session["status"] for session in everything["sessions"]} == {
        "PENDING_APPROVAL",
        "CONFIRMED",
        "CANCELLED",
        "COMPLETED",
    }


async def test_only_the_users_own_sessions_are_listed(sessions: httpx.AsyncClient) -> None:
    await book(sessions, "mine", "2030-01-07T10:00:00Z", userId="123")
    await book(sessions, "theirs", "2030-01-08T10:00:00Z", userId="456")

    page = await list_sessions(sessions, "123")

    assert [session["id"] for session in page["sessions"]] == ["mine"]
    assert page["total"] == 1


async def test_a_user_without_sessions_gets_an_empty_page(sessions: httpx.AsyncClient) -> None:
    assert await list_sessions(sessions, "nobody") == {"sessions": [], "page": 1, "pageSize": 20, "total": 0}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": 0}, "query.page"),
        ({"page": -1}, "query.page"),
        ({"page": "first"}, "query.page"),
        ({"page": 10**9}, "query.page"),
        ({"pageSize": 0}, "query.pageSize"),
        ({"pageSize": 101}, "query.pageSize"),
        ({"status": "ACTIVE"}, "query.status"),
        ({"status": "confirmed"}, "query.status"),
    ],
)
async def test_paging_and_filter_parameters_out_of_bounds_are_refused(
    sessions: httpx.AsyncClient, params: dict[str, object], field: str
) -> None:
    response = await sessions.get("/internal/sessions/by-user/123", params=params)

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body.details is not None
    assert [detail.field for detail in body.details] == [field]


async def test_the_largest_page_size_is_allowed(sessions: httpx.AsyncClient) -> None:
    await set_state(sessions, "user has active sessions", userId="123", count=3)

    page = await list_sessions(sessions, "123", pageSize=100)

    assert (len(page["sessions"]), page["pageSize"], page["total"]) == (3, 100, 3)


# -- service auth --------------------------------------------------------------------------


async def test_the_routes_need_a_service_key(sessions: httpx.AsyncClient) -> None:
    wrong = await sessions.post("/internal/sessions/conflicts", json=SLOT, headers={"x-api-key": "stolen"})
    del sessions.headers["x-api-key"]
    missing = await sessions.get("/internal/sessions/by-user/123")

    assert_error(wrong, 401, "UNAUTHORIZED")
    body = assert_error(missing, 401, "UNAUTHORIZED")
    assert "missing" in body.message
