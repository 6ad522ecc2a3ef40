"""What the user service relies on from the session service: a member's sessions, page by page.

The first interaction is the seed plan's own pact example (`given("user has active sessions")`,
`GET /internal/sessions/by-user/123`), with the state's params and a list that must not be empty.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pact import match

from solo60.clients import SessionClient, UpstreamUnauthorized
from solo60.contracts.errors import ErrorCode
from solo60.contracts.session import Session, SessionStatus
from solo60.harness.made.contract_test import ContractTest
from solo60.harness.made.matchers import error_body, shape_of

CONSUMER = "user"
PROVIDER = "session"

BY_USER = "/internal/sessions/by-user/123"

UPCOMING = Session(
    id="9b2f6c1e-4d7a-4e0b-8f3c-2a1d5e6f7a8b",
    user_id="123",
    gym_id="gym-1",
    status=SessionStatus.CONFIRMED,
    starts_at=datetime(2030, 1, 7, 10, 0, tzinfo=UTC),
    ends_at=datetime(2030, 1, 7, 11, 0, tzinfo=UTC),
    duration_minutes=60,
    price_credits=10,
    guests=[],
    created_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
    updated_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
)


def _page(sessions: object, *, page: int, page_size: int, total: object) -> dict:
    return {"sessions": sessions, "page": match.int(page), "pageSize": match.int(page_size), "total": total}


async def test_a_members_sessions_are_listed(contract: ContractTest) -> None:
    """The seed's example: two active sessions, so a first page of twenty lists some and counts both."""
    (
        contract.request("a request for user sessions", "GET", BY_USER)
        .given("user has active sessions", userId="123", count=2)
        .with_query_parameter("page", "1")
        .with_query_parameter("pageSize", "20")
        .will_respond_with(200)
        .with_body(
            _page(match.each_like(shape_of(UPCOMING), min=1), page=1, page_size=20, total=2),
            content_type="application/json",
        )
    )
    async with contract.client(SessionClient) as sessions:
        listed = await sessions.get_sessions_by_user("123")
    assert listed.total == 2
    assert listed.sessions[0].user_id == "123"
    assert listed.sessions[0].status is SessionStatus.CONFIRMED


async def test_a_members_sessions_are_read_one_page_at_a_time(contract: ContractTest) -> None:
    """Page 2 of size 1 holds the second of two sessions; `total` still counts both."""
    (
        contract.request("a request for the second page of user sessions", "GET", BY_USER)
        .given("user has active sessions", userId="123", count=2)
        .with_query_parameter("page", "2")
        .with_query_parameter("pageSize", "1")
        .will_respond_with(200)
        .with_body(
            _page(match.each_like(shape_of(UPCOMING), min=1, max=1), page=2, page_size=1, total=2),
            content_type="application/json",
        )
    )
    async with contract.client(SessionClient) as sessions:
        listed = await sessions.get_sessions_by_user("123", page=2, page_size=1)
    assert (listed.page, listed.page_size, listed.total) == (2, 1, 2)
    assert len(listed.sessions) == 1


async def test_a_members_cancelled_sessions_can_be_listed_alone(contract: ContractTest) -> None:
    cancelled = UPCOMING.model_copy(update={"status": SessionStatus.CANCELLED})
    (
        contract.request("a request for user sessions that were cancelled", "GET", BY_USER)
        .given("user has sessions in every status", userId="123", perStatus=1)
        .with_query_parameter("page", "1")
        .with_query_parameter("pageSize", "20")
        .with_query_parameter("status", "CANCELLED")
        .will_respond_with(200)
        .with_body(
            _page(
                match.each_like({**shape_of(cancelled), "status": "CANCELLED"}, min=1),
                page=1,
                page_size=20,
                total=1,
            ),
            content_type="application/json",
        )
    )
    async with contract.client(SessionClient) as sessions:
        listed = await sessions.get_sessions_by_user("123", status=SessionStatus.CANCELLED)
    assert {session.status for session in listed.sessions} == {SessionStatus.CANCELLED}


async def test_a_member_without_sessions_gets_an_empty_list_not_an_error(contract: ContractTest) -> None:
    (
        contract.request("a request for the sessions of a user who has none", "GET", BY_USER)
        .given("user has no sessions", userId="123")
        .with_query_parameter("page", "1")
        .with_query_parameter("pageSize", "20")
        .will_respond_with(200)
        .with_body(_page([], page=1, page_size=20, total=0), content_type="application/json")
    )
    async with contract.client(SessionClient) as sessions:
        listed = await sessions.get_sessions_by_user("123")
    assert listed.sessions == []
    assert listed.total == 0


async def test_listing_sessions_with_a_revoked_service_key_is_unauthorized(contract: ContractTest) -> None:
    (
        contract.request("a request for user sessions with a revoked service key", "GET", BY_USER, authenticated=False)
        .given("user has active sessions", userId="123", count=2)
        .with_header("x-api-key", "a-revoked-key")
        .with_query_parameter("page", "1")
        .with_query_parameter("pageSize", "20")
        .will_respond_with(401)
        .with_body(error_body(ErrorCode.UNAUTHORIZED), content_type="application/json")
    )
    async with contract.client(SessionClient, api_key="a-revoked-key") as sessions:
        with pytest.raises(UpstreamUnauthorized):
            await sessions.get_sessions_by_user("123")
