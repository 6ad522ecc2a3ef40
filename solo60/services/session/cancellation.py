"""Cancelling a session: it is CANCELLED at once; the refund and the mails follow through the outbox.

Nothing in the cancellation waits for payment or communication, so their outages delay the
follow-ups but never fail it. The refund's key derives from the session, so however often it
is delivered (or the cancellation retried) the credits come back once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from solo60.contracts.session import CancelSession, Session, SessionStatus
from solo60.services.kit import Conflict, utc_now
from solo60.services.session import follow_ups
from solo60.services.session.sessions import as_session, existing

if TYPE_CHECKING:
    from solo60.services.session.runtime import SessionRuntime


async def cancel(runtime: SessionRuntime, session_id: str, body: CancelSession) -> Session:
    runtime.upstreams.require("payment", "communication", "gym", "user")
    async with runtime.db.write() as session:
        row = await existing(session, session_id, for_update=True)
        if row.status == SessionStatus.CANCELLED.value:
            return as_session(row)  # already done: the same answer again
        if row.status == SessionStatus.COMPLETED.value:
            raise Conflict(f"Session {session_id!r} is COMPLETED; it can no longer be cancelled.")
        now = utc_now()
        if row.starts_at <= now:
            started = f"{row.starts_at:%Y-%m-%d %H:%M} UTC"
            raise Conflict(f"Session {session_id!r} started at {started}; it can no longer be cancelled.")
        guests_were_invited = row.status == SessionStatus.CONFIRMED.value
        row.status, row.cancelled_at, row.cancellation_reason, row.updated_at = (
            SessionStatus.CANCELLED.value,
            now,
            body.reason,
            now,
        )
        await follow_ups.after_cancellation(session, row, guests_were_invited=guests_were_invited, reason=body.reason)
        answer = as_session(row)
    runtime.relay.wake()
    return answer
