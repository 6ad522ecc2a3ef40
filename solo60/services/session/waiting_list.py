"""Joining the waiting list of a taken slot: the member hears by mail when the session holding it goes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from solo60.contracts.session import OCCUPYING_STATUSES, JoinWaitingList, WaitingListEntry
from solo60.services.kit import Conflict, Reply
from solo60.services.session import members, storage
from solo60.services.session.sessions import existing
from solo60.services.session.storage import SessionRow

if TYPE_CHECKING:
    from solo60.services.session.runtime import SessionRuntime


async def join(runtime: SessionRuntime, session_id: str, body: JoinWaitingList) -> Reply:
    runtime.upstreams.require("user", "communication")
    async with runtime.db.read() as session:
        _ensure_joinable(await existing(session, session_id), body.user_id)
    await members.active_member(runtime.upstreams.users, body.user_id, to="join a waiting list")
    async with runtime.db.write() as session:
        _ensure_joinable(await existing(session, session_id, for_update=True), body.user_id)
        entry, joined = await storage.join_waiting_list(session, session_id, body.user_id)
        position = await storage.waiting_position(session, entry)
        answer = WaitingListEntry(
            id=entry.id,
            session_id=entry.session_id,
            user_id=entry.user_id,
            position=position,
            joined_at=entry.joined_at,
            notified_at=entry.notified_at,
        )
    return Reply(201 if joined else 200, answer)


def _ensure_joinable(row: SessionRow, user_id: str) -> None:
    if row.status not in {status.value for status in OCCUPYING_STATUSES}:
        raise Conflict(f"Session {row.id!r} is {row.status}, so its slot is free: book it instead of waiting.")
    if row.user_id == user_id:
        raise Conflict(f"User {user_id!r} booked session {row.id!r}; they cannot wait for their own slot.")
