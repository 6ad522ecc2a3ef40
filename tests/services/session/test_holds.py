"""A booking's hold on its slot: invisible as a session, yet the slot is taken, until it is paid for or lapses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa

from solo60.contracts.session import SessionStatus
from solo60.services.kit import Database, utc_now
from solo60.services.session import follow_ups, storage
from tests.flows.session.stack import eventually
from tests.helpers import assert_error

TEN = datetime(2030, 1, 7, 10, 0, tzinfo=UTC)
SLOT = {"gymId": "gym-1", "startsAt": "2030-01-07T10:00:00Z", "endsAt": "2030-01-07T11:00:00Z"}


@pytest.fixture
async def sessions(serve) -> AsyncIterator[httpx.AsyncClient]:
    """The session service with holds that lapse after a second and a relay that looks often."""
    environ = {"SESSION_BOOKING_HOLD_SECONDS": "1", "OUTBOX_IDLE_SECONDS": "0.05"}
    async with serve("session", environ=environ) as client:
        yield client


def database(sessions: httpx.AsyncClient) -> Database:
    return sessions.app.state.runtime.db  # type: ignore[attr-defined]


async def hold(db: Database, key: str, *, price: int = 0, lapses_in: timedelta | None = None) -> str:
    async with db.write() as session:
        request = await storage.reserve(
            session,
            key=key,
            fingerprint="f",
            user_id="123",
            gym_id="gym-1",
            starts_at=TEN,
            ends_at=TEN + timedelta(hours=1),
            price_credits=price,
            status=SessionStatus.CONFIRMED,
            guests=[],
            noise_warning=False,
        )
        assert request is not None
        if lapses_in is not None:
            await follow_ups.release_if_unpaid(session, key, request.session_id, at=utc_now() + lapses_in)
        return request.session_id


async def slot_taken(sessions: httpx.AsyncClient) -> bool:
    return bool((await sessions.post("/internal/sessions/conflicts", json=SLOT)).json()["hasConflict"])


async def test_a_held_slot_is_taken_but_its_session_is_not_visible_until_paid_for(sessions: httpx.AsyncClient) -> None:
    db = database(sessions)
    session_id = await hold(db, "booking-1")

    assert await slot_taken(sessions)
    assert_error(await sessions.get(f"/internal/sessions/{session_id}"), 404, "NOT_FOUND")
    assert (await sessions.get("/internal/sessions/by-user/123")).json()["total"] == 0
    with pytest.raises(storage.SlotTaken):
        await hold(db, "booking-2")

    async with db.write() as session:
        assert await storage.complete_booking(session, "booking-1", session_id) is not None

    assert (await sessions.get(f"/internal/sessions/{session_id}")).json()["status"] == "CONFIRMED"
    async with db.write() as session:
        assert await storage.release_reservation(session, "booking-1", session_id) is None  # paid: it stays


async def test_a_key_holds_one_slot_whoever_claims_it_first(sessions: httpx.AsyncClient) -> None:
    db = database(sessions)
    await hold(db, "booking-1")

    async with db.write() as session:
        again = await storage.reserve(
            session,
            key="booking-1",
            fingerprint="f",
            user_id="123",
            gym_id="gym-9",
            starts_at=TEN,
            ends_at=TEN + timedelta(hours=1),
            price_credits=0,
            status=SessionStatus.CONFIRMED,
            guests=[],
            noise_warning=False,
        )

    assert again is None
    async with db.read() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(storage.SessionRow)) == 1


async def test_a_hold_nobody_pays_for_lapses_and_frees_the_slot(sessions: httpx.AsyncClient) -> None:
    db = database(sessions)
    await hold(db, "booking-1", lapses_in=timedelta(seconds=0.2))
    assert await slot_taken(sessions)

    async def freed() -> bool:
        return not await slot_taken(sessions)

    await eventually(freed, within=10, what="the lapsed hold to be released")
    async with db.read() as session:
        assert await storage.find_booking_request(session, "booking-1") is None
        assert (await storage.outbox_messages(session)) == []
