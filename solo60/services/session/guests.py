"""Inviting a guest: within the gym's `maxGuests`, once per address, mailed when the session is confirmed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from solo60.contracts.session import OCCUPYING_STATUSES, GuestInvitation, SessionStatus
from solo60.services.kit import Conflict, Reply, utc_now
from solo60.services.session import follow_ups, gyms, storage
from solo60.services.session.sessions import as_session, existing
from solo60.services.session.storage import SessionRow

if TYPE_CHECKING:
    from solo60.services.session.runtime import SessionRuntime


async def invite(runtime: SessionRuntime, session_id: str, body: GuestInvitation) -> Reply:
    runtime.upstreams.require("gym", "user", "communication")
    async with runtime.db.read() as session:
        row = await existing(session, session_id)
    if _invited(row, body.email):
        return Reply(200, as_session(row))
    _ensure_open(row)
    gym = await gyms.find_gym(runtime.upstreams.gyms, row.gym_id)
    async with runtime.db.write() as session:
        row = await existing(session, session_id, for_update=True)
        if _invited(row, body.email):
            return Reply(200, as_session(row))  # a concurrent invitation of the same address came first
        _ensure_open(row)
        if len(row.guests) >= gym.max_guests:
            raise Conflict(f"{gym.name} takes at most {gym.max_guests} guests per session; this one is full.")
        guest = await storage.add_guest(session, row, body.email, body.name)
        if row.status == SessionStatus.CONFIRMED.value:
            await follow_ups.invite_guest(session, row, guest)
        answer = as_session(row)
    runtime.relay.wake()
    return Reply(201, answer)


def _invited(row: SessionRow, email: str) -> bool:
    return any(guest.email_key == storage.email_key(email) for guest in row.guests)


def _ensure_open(row: SessionRow) -> None:
    if row.status not in {status.value for status in OCCUPYING_STATUSES}:
        raise Conflict(f"Session {row.id!r} is {row.status}; guests can only be invited to an upcoming session.")
    if row.starts_at <= utc_now():
        raise Conflict(f"Session {row.id!r} has started; guests can only be invited to an upcoming session.")
