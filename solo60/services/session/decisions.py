"""The gym admin's decision on a booking that awaits approval: approve (confirm) or reject (cancel, refund)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from solo60.contracts.session import ApproveSession, RejectSession, Session, SessionStatus
from solo60.services.kit import Conflict, utc_now
from solo60.services.session import follow_ups, gyms, members
from solo60.services.session.sessions import as_session, existing
from solo60.services.session.storage import SessionRow

if TYPE_CHECKING:
    from solo60.services.session.runtime import SessionRuntime


async def approve(runtime: SessionRuntime, session_id: str, body: ApproveSession) -> Session:
    runtime.upstreams.require("user", "gym", "communication")
    row = await _decidable(runtime, session_id, body.admin_user_id)
    if _approved(row):
        return as_session(row)
    async with runtime.db.write() as session:
        row = await existing(session, session_id, for_update=True)
        if _approved(row):
            return as_session(row)  # a concurrent approval of the same session came first
        _ensure_awaiting(row, "approved")
        now = utc_now()
        row.status, row.approved_at, row.decided_by, row.updated_at = (
            SessionStatus.CONFIRMED.value,
            now,
            body.admin_user_id,
            now,
        )
        await follow_ups.after_approval(session, row)
        answer = as_session(row)
    runtime.relay.wake()
    return answer


async def reject(runtime: SessionRuntime, session_id: str, body: RejectSession) -> Session:
    runtime.upstreams.require("user", "gym", "payment", "communication")
    row = await _decidable(runtime, session_id, body.admin_user_id)
    if _rejected(row):
        return as_session(row)
    async with runtime.db.write() as session:
        row = await existing(session, session_id, for_update=True)
        if _rejected(row):
            return as_session(row)
        _ensure_awaiting(row, "rejected")
        now = utc_now()
        row.status, row.rejected_at, row.cancelled_at = SessionStatus.CANCELLED.value, now, now
        row.decided_by, row.cancellation_reason, row.updated_at = body.admin_user_id, body.reason, now
        await follow_ups.after_rejection(session, row, body.reason)
        answer = as_session(row)
    runtime.relay.wake()
    return answer


async def _decidable(runtime: SessionRuntime, session_id: str, admin_user_id: str) -> SessionRow:
    """The session, once the deciding user is known to be allowed to decide for its gym."""
    async with runtime.db.read() as session:
        row = await existing(session, session_id)
    gym = await gyms.find_gym(runtime.upstreams.gyms, row.gym_id)
    await members.ensure_may_decide(runtime.upstreams.users, gym, admin_user_id)
    return row


def _ensure_awaiting(row: SessionRow, decision: str) -> None:
    if row.status != SessionStatus.PENDING_APPROVAL.value:
        state = "was rejected" if row.rejected_at else f"is {row.status}"
        raise Conflict(f"Session {row.id!r} {state}; only a session PENDING_APPROVAL can be {decision}.")


def _approved(row: SessionRow) -> bool:
    return row.status == SessionStatus.CONFIRMED.value and row.approved_at is not None


def _rejected(row: SessionRow) -> bool:
    return row.status == SessionStatus.CANCELLED.value and row.rejected_at is not None
