"""The guarantee the booking flow builds on: the database never lets held sessions overlap in a gym."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from solo60.contracts.session import SessionStatus
from solo60.services.kit import Database
from solo60.services.session import storage

TEN = datetime(2030, 1, 7, 10, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def database(sessions: httpx.AsyncClient) -> Database:
    return sessions.app.state.runtime.db  # type: ignore[attr-defined]


async def book(db: Database, starts_at: datetime, ends_at: datetime, **fields: object) -> str:
    async with db.write() as session:
        values: dict = {"user_id": "123", "gym_id": "gym-1", "price_credits": 10, **fields}
        row = await storage.add_session(session, starts_at=starts_at, ends_at=ends_at, **values)
        return row.id


async def test_concurrent_bookings_of_one_slot_leave_exactly_one_session(sessions: httpx.AsyncClient) -> None:
    db = database(sessions)
    attempts = [book(db, TEN + timedelta(minutes=5 * i), TEN + HOUR, user_id=f"user-{i}") for i in range(8)]

    results = await asyncio.gather(*attempts, return_exceptions=True)

    winners = [result for result in results if isinstance(result, str)]
    assert len(winners) == 1, results
    assert all(isinstance(result, storage.SlotTaken) for result in results if result not in winners)
    answer = await sessions.post(
        "/internal/sessions/conflicts",
        json={"gymId": "gym-1", "startsAt": "2030-01-07T09:00:00Z", "endsAt": "2030-01-07T12:00:00Z"},
    )
    assert [conflict["id"] for conflict in answer.json()["conflicts"]] == winners


async def test_an_overlapping_booking_is_refused_by_the_database(sessions: httpx.AsyncClient) -> None:
    db = database(sessions)
    await book(db, TEN, TEN + HOUR)

    with pytest.raises(storage.SlotTaken):
        await book(db, TEN + HOUR / 2, TEN + 2 * HOUR, status=SessionStatus.PENDING_APPROVAL)


async def test_back_to_back_bookings_and_other_gyms_are_allowed(sessions: httpx.AsyncClient) -> None:
    db = database(sessions)

    await book(db, TEN, TEN + HOUR)
    await book(db, TEN + HOUR, TEN + 2 * HOUR)
    await book(db, TEN - HOUR, TEN)
    await book(db, TEN, TEN + HOUR, gym_id="gym-2")


async def test_cancelled_and_completed_sessions_free_their_slot(sessions: httpx.AsyncClient) -> None:
    db = database(sessions)
    await book(db, TEN, TEN + HOUR, status=SessionStatus.CANCELLED)
    await book(db, TEN, TEN + HOUR, status=SessionStatus.COMPLETED)

    await book(db, TEN, TEN + HOUR)


async def test_reviving_a_cancelled_session_into_a_taken_slot_is_refused(sessions: httpx.AsyncClient) -> None:
    db = database(sessions)
    cancelled = await book(db, TEN, TEN + HOUR, status=SessionStatus.CANCELLED)
    await book(db, TEN, TEN + HOUR)

    with pytest.raises(IntegrityError) as refused:
        async with db.write() as session:
            await session.execute(
                sa.update(storage.SessionRow).where(storage.SessionRow.id == cancelled).values(status="CONFIRMED")
            )

    assert storage.is_overlap(refused.value)


async def test_a_session_must_end_after_it_starts(sessions: httpx.AsyncClient) -> None:
    with pytest.raises(IntegrityError) as refused:
        await book(database(sessions), TEN, TEN)

    assert not storage.is_overlap(refused.value)
