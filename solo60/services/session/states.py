"""Provider states of the session service, as its consumers (user; communication for its events) name them.

Fixed default times (2030-01-07, a Monday, 10:00 UTC) let a pact's conflict check name the
booked slot; `user has active sessions` books relative to now so its sessions stay upcoming.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import AwareDatetime, Field

from solo60.contracts.models import Id
from solo60.contracts.session import OCCUPYING_STATUSES, SessionStatus
from solo60.services.kit import ProviderStates, StateParams, utc_now
from solo60.services.session import storage

states = ProviderStates("session")

BOOKED_SLOT_STARTS_AT = "2030-01-07T10:00:00Z"


class SessionExists(StateParams):
    session_id: Id = Field(default="session-1", alias="sessionId")
    user_id: Id = Field(default="123", alias="userId")
    gym_id: Id = Field(default="gym-1", alias="gymId")
    status: SessionStatus = SessionStatus.CONFIRMED
    starts_at: AwareDatetime = Field(default=BOOKED_SLOT_STARTS_AT, validate_default=True, alias="startsAt")
    duration_minutes: int = Field(default=60, ge=1, le=1440, alias="durationMinutes")
    price_credits: int = Field(default=10, ge=0, alias="priceCredits")
    guests: str = Field(default="", description="comma-separated guest email addresses")


class UserHasActiveSessions(StateParams):
    user_id: Id = Field(default="123", alias="userId")
    count: int = Field(default=2, ge=0, le=100)
    gym_id: Id = Field(default="gym-1", alias="gymId")


class UserHasSessionsInEveryStatus(StateParams):
    user_id: Id = Field(default="123", alias="userId")
    per_status: int = Field(default=1, ge=0, le=25, alias="perStatus")
    gym_id: Id = Field(default="gym-1", alias="gymId")


class UserHasNoSessions(StateParams):
    user_id: Id = Field(default="123", alias="userId")


@states.state("user has active sessions", params=UserHasActiveSessions)
async def user_has_active_sessions(runtime: Any, params: UserHasActiveSessions) -> dict[str, Any]:
    """Exactly `count` upcoming CONFIRMED one-hour sessions for the user, daily from tomorrow 10:00 UTC."""
    first = _tomorrow_at_ten()
    slots = [(SessionStatus.CONFIRMED, first + timedelta(days=day)) for day in range(params.count)]
    ids = await _replace_sessions_of_user(runtime, params.user_id, slots, gym_id=params.gym_id)
    return {"userId": params.user_id, "count": params.count, "sessionIds": ids}


@states.state(
    "user has sessions in every status",
    params=UserHasSessionsInEveryStatus,
    operations=(
        "GET /internal/sessions/by-user/{userId}",
        "GET /internal/sessions/{sessionId}",
        "POST /internal/sessions/{sessionId}/approve",
        "POST /internal/sessions/{sessionId}/reject",
        "POST /internal/sessions/{sessionId}/cancel",
        "POST /internal/sessions/{sessionId}/guests",
        "POST /internal/sessions/{sessionId}/waiting-list",
    ),
)
async def user_has_sessions_in_every_status(runtime: Any, params: UserHasSessionsInEveryStatus) -> dict[str, Any]:
    """`perStatus` sessions of the user in each status: pending and confirmed ahead, completed and cancelled past."""
    upcoming, past = _tomorrow_at_ten(), _tomorrow_at_ten() - timedelta(days=30)
    starts = {
        SessionStatus.PENDING_APPROVAL: upcoming,
        SessionStatus.CONFIRMED: upcoming + timedelta(hours=2),
        SessionStatus.COMPLETED: past,
        SessionStatus.CANCELLED: past + timedelta(hours=2),
    }
    slots = [
        (status, start + timedelta(days=day)) for status, start in starts.items() for day in range(params.per_status)
    ]
    ids = await _replace_sessions_of_user(runtime, params.user_id, slots, gym_id=params.gym_id)
    by_status: dict[str, list[str]] = {status.value: [] for status in starts}
    for (status, _start), session_id in zip(slots, ids, strict=True):
        by_status[status.value].append(session_id)
    return {"userId": params.user_id, "total": len(ids), "sessionIds": by_status}


@states.state("user has no sessions", params=UserHasNoSessions)
async def user_has_no_sessions(runtime: Any, params: UserHasNoSessions) -> dict[str, Any]:
    """The user has no sessions at all: their list is empty with total 0."""
    await _replace_sessions_of_user(runtime, params.user_id, [])
    return {"userId": params.user_id}


@states.state(
    "a session exists",
    params=SessionExists,
    operations=(
        "GET /internal/sessions/{sessionId}",
        "POST /internal/sessions/{sessionId}/cancel",
        "POST /internal/sessions/{sessionId}/guests",
        "POST /internal/sessions/{sessionId}/waiting-list",
    ),
)
async def a_session_exists(runtime: Any, params: SessionExists) -> dict[str, Any]:
    """A session with a known id (CONFIRMED, 2030-01-07 10:00-11:00 UTC at gym-1 by default), replacing clashes."""
    return await _book(runtime, params)


@states.state("a gym slot is booked", params=SessionExists, operations=("POST /internal/sessions/conflicts",))
async def a_gym_slot_is_booked(runtime: Any, params: SessionExists) -> dict[str, Any]:
    """The slot (gym-1, 2030-01-07 10:00-11:00 UTC by default) is held by a CONFIRMED session: checks conflict."""
    return await _book(runtime, params)


@states.state("no session exists")
async def no_session_exists(runtime: Any, params: None) -> None:
    """No sessions at all: every session id answers 404 and every slot is free."""


async def _book(runtime: Any, params: SessionExists) -> dict[str, Any]:
    ends_at = params.starts_at + timedelta(minutes=params.duration_minutes)
    guests = [(email.strip(), None) for email in params.guests.split(",") if email.strip()]
    async with runtime.db.write() as session:
        occupies = params.status in OCCUPYING_STATUSES
        await storage.remove_sessions(
            session,
            session_ids=[params.session_id],
            occupying=(params.gym_id, params.starts_at, ends_at) if occupies else None,
        )
        await storage.add_session(
            session,
            session_id=params.session_id,
            user_id=params.user_id,
            gym_id=params.gym_id,
            status=params.status,
            starts_at=params.starts_at,
            ends_at=ends_at,
            price_credits=params.price_credits,
            guests=guests,
        )
    return {
        "sessionId": params.session_id,
        "userId": params.user_id,
        "gymId": params.gym_id,
        "startsAt": _rfc3339(params.starts_at),
        "endsAt": _rfc3339(ends_at),
    }


async def _replace_sessions_of_user(
    runtime: Any, user_id: str, slots: list[tuple[SessionStatus, datetime]], *, gym_id: str = ""
) -> list[str]:
    """The user's sessions become exactly these one-hour slots; other sessions holding them make way."""
    ids = []
    async with runtime.db.write() as session:
        await storage.remove_sessions(session, user_id=user_id)
        for status, starts_at in slots:
            ends_at = starts_at + timedelta(hours=1)
            if status in OCCUPYING_STATUSES:
                await storage.remove_sessions(session, occupying=(gym_id, starts_at, ends_at))
            row = await storage.add_session(
                session,
                user_id=user_id,
                gym_id=gym_id,
                status=status,
                starts_at=starts_at,
                ends_at=ends_at,
                price_credits=10,
            )
            ids.append(row.id)
    return ids


def _tomorrow_at_ten() -> datetime:
    today = utc_now().replace(hour=10, minute=0, second=0, microsecond=0)
    return today + timedelta(days=1)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class SomeoneWaits(StateParams):
    session_id: Id = Field(default="session-1", alias="sessionId")
    user_id: Id = Field(default="456", alias="userId")


@states.state("someone waits for the session's slot", params=SomeoneWaits)
async def someone_waits(runtime: Any, params: SomeoneWaits) -> dict[str, Any]:
    """A member on the waiting list of an existing session (set that up first), not yet told of a free spot."""
    async with runtime.db.write() as session:
        entry, _ = await storage.join_waiting_list(session, params.session_id, params.user_id)
    return {"waitingListEntryId": entry.id}


class KnownToOthers(StateParams):
    gym_name: str = Field(default="Field Street Gym", max_length=200, alias="gymName")
    timezone: str = Field(default="Europe/London", max_length=64)
    admin_email: str = Field(default="admin@field.example", max_length=254, alias="adminEmail")
    member_name: str = Field(default="Ada", max_length=200, alias="memberName")
    waiting_name: str = Field(default="Grace", max_length=200, alias="waitingName")


@states.state("the gym and the members are known", params=KnownToOthers)
async def known_to_others(runtime: Any, params: KnownToOthers) -> None:
    """What the gym and user services would answer when an event leaves (message pacts only: see `messages.py`)."""
    runtime.event_lookups = params
