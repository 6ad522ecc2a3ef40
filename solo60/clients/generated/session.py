"""The session service's client, written by `solo60 codegen` from `solo60/contracts/session.py`."""

from __future__ import annotations

from solo60.clients._base import ServiceClient
from solo60.contracts.session import (
    ApproveSession,
    BookSession,
    CancelSession,
    ConflictCheck,
    ConflictCheckRequest,
    GuestInvitation,
    JoinWaitingList,
    RejectSession,
    Session,
    SessionList,
    SessionServiceContract,
    SessionStatus,
    WaitingListEntry,
)


class SessionClient(ServiceClient):
    """Calls the Solo60 session service. Booked gym sessions: read one, check a slot for conflicts, list a user's
    sessions; book, approve, reject and cancel sessions, invite guests and join waiting lists.
    """

    service = "session"

    async def get_session(self, session_id: str) -> Session:
        """Get a session by id."""
        return await self._call(SessionServiceContract.get_session, path={"session_id": session_id})

    async def check_conflicts(self, body: ConflictCheckRequest) -> ConflictCheck:
        """Check whether a slot in a gym is free.

        Sessions PENDING_APPROVAL or CONFIRMED hold their slot; CANCELLED and COMPLETED ones do not. Two intervals
        conflict when each starts before the other ends, so back-to-back sessions do not. A gym the session service
        has never seen simply has no conflicts. Read-only, so safe to retry.
        """
        return await self._call(SessionServiceContract.check_conflicts, body=body)

    async def get_sessions_by_user(
        self,
        user_id: str,
        *,
        page: int = 1,
        page_size: int = 20,
        status: SessionStatus | None = None,
    ) -> SessionList:
        """List a user's sessions, latest slot first.

        Ordered by `startsAt` descending (then by id), so upcoming sessions come before past ones. A page past the
        end is empty, with the real `total`; a user without sessions gets an empty list, not 404.
        """
        return await self._call(
            SessionServiceContract.get_sessions_by_user,
            path={"user_id": user_id},
            query={"page": page, "page_size": page_size, "status": status},
        )

    async def book_session(self, body: BookSession, *, idempotency_key: str | None = None) -> Session:
        """Book a slot for a member.

        Checks that the member exists and is ACTIVE (404, 403), prices the slot with the gym service (404 for an
        unknown gym, 400 naming the field for a slot the gym does not sell, 409 for a closed gym or more guests than
        the gym's `maxGuests`), holds the slot (409 when another session holds part of it), then debits the price
        from the member's credits. When the credits are short the answer is 402 naming the price and the shortfall,
        and nothing is kept. The session is PENDING_APPROVAL when the gym requires approval (its admin gets an
        approval request), else CONFIRMED (guests get their invitations); members of noise-sensitive gyms get a noise
        warning. Mails leave through an outbox, so a mail outage never fails a booking. A repeat with the same
        Idempotency-Key returns the first booking; when the payment service cannot be reached the answer is 503 and
        the same key may be retried.
        """
        return await self._call(SessionServiceContract.book_session, body=body, idempotency_key=idempotency_key)

    async def approve_session(self, session_id: str, body: ApproveSession) -> Session:
        """Approve a booking that awaits the gym admin.

        PENDING_APPROVAL becomes CONFIRMED; the member is told and the guests get their invitations. Only the gym's
        admin (holding GYM_ADMIN) or a PLATFORM_ADMIN may decide (403). Approving an approved session again answers
        it unchanged; any other status is 409.
        """
        return await self._call(SessionServiceContract.approve_session, path={"session_id": session_id}, body=body)

    async def reject_session(self, session_id: str, body: RejectSession) -> Session:
        """Reject a booking that awaits the gym admin.

        PENDING_APPROVAL becomes CANCELLED: the credits are refunded, the member is told (with the reason) and the
        slot's waiting list hears that it is free. Who may decide is as for approval. Rejecting a rejected session
        again answers it unchanged; any other status is 409.
        """
        return await self._call(SessionServiceContract.reject_session, path={"session_id": session_id}, body=body)

    async def cancel_session(self, session_id: str, body: CancelSession) -> Session:
        """Cancel a session.

        The session becomes CANCELLED at once; the refund, the mails to invited guests and the notices to the slot's
        waiting list follow through an outbox, so a payment or mail outage delays them but never fails the
        cancellation, and a retried refund never pays twice. Cancelling a cancelled session answers it unchanged; a
        COMPLETED session, or one that has started, is 409.
        """
        return await self._call(SessionServiceContract.cancel_session, path={"session_id": session_id}, body=body)

    async def invite_guest(self, session_id: str, body: GuestInvitation) -> Session:
        """Invite a guest to a session.

        Adds the guest (201); inviting the same address again answers 200 and sends nothing. The guest is mailed an
        invitation now if the session is CONFIRMED, else when the gym admin approves it. 409 when the session is
        cancelled, completed or started, or already has the gym's `maxGuests` guests.
        """
        return await self._call(SessionServiceContract.invite_guest, path={"session_id": session_id}, body=body)

    async def join_waiting_list(self, session_id: str, body: JoinWaitingList) -> WaitingListEntry:
        """Join the waiting list of the slot a session holds.

        The member (who must exist, 404, and be ACTIVE, 403) is told by mail if the session is cancelled or rejected.
        Joining again answers the same entry with 200. 409 when the session no longer holds its slot (book it
        instead) or the member is the one who booked it.
        """
        return await self._call(SessionServiceContract.join_waiting_list, path={"session_id": session_id}, body=body)
