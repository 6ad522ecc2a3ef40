"""The session service's implementation of its contract."""

from __future__ import annotations

from solo60.contracts.session import (
    MOST_CONFLICTS_LISTED,
    ApproveSession,
    BookSession,
    CancelSession,
    ConflictCheck,
    ConflictCheckRequest,
    ConflictingSession,
    GuestInvitation,
    JoinWaitingList,
    RejectSession,
    Session,
    SessionList,
    SessionServiceContract,
    SessionsQuery,
)
from solo60.services.kit import Reply, ServiceRoutes, implements
from solo60.services.session import booking, cancellation, decisions, guests, storage, waiting_list
from solo60.services.session.runtime import SessionRuntime
from solo60.services.session.sessions import as_session, existing

api = SessionServiceContract


class SessionRoutes(ServiceRoutes):
    contract = SessionServiceContract
    runtime: SessionRuntime

    @implements(api.get_session)
    async def get_session(self, session_id: str) -> Session:
        async with self.runtime.db.read() as session:
            return as_session(await existing(session, session_id))

    @implements(api.check_conflicts)
    async def check_conflicts(self, body: ConflictCheckRequest) -> ConflictCheck:
        async with self.runtime.db.read() as session:
            rows = await storage.conflicting_sessions(
                session,
                body.gym_id,
                body.starts_at,
                body.ends_at,
                exclude_session_id=body.exclude_session_id,
                limit=MOST_CONFLICTS_LISTED,
            )
        conflicts = [ConflictingSession.model_validate(row, from_attributes=True) for row in rows]
        return ConflictCheck(has_conflict=bool(conflicts), conflicts=conflicts)

    @implements(api.get_sessions_by_user)
    async def get_sessions_by_user(self, user_id: str, query: SessionsQuery) -> SessionList:
        async with self.runtime.db.read() as session:
            rows, total = await storage.sessions_of_user(
                session, user_id, status=query.status, page=query.page, page_size=query.page_size
            )
            return SessionList(
                sessions=[Session.model_validate(row, from_attributes=True) for row in rows],
                page=query.page,
                page_size=query.page_size,
                total=total,
            )

    @implements(api.book_session)
    async def book_session(self, body: BookSession, idempotency_key: str) -> Reply:
        return await booking.book(self.runtime, body, idempotency_key)

    @implements(api.approve_session)
    async def approve_session(self, session_id: str, body: ApproveSession) -> Session:
        return await decisions.approve(self.runtime, session_id, body)

    @implements(api.reject_session)
    async def reject_session(self, session_id: str, body: RejectSession) -> Session:
        return await decisions.reject(self.runtime, session_id, body)

    @implements(api.cancel_session)
    async def cancel_session(self, session_id: str, body: CancelSession) -> Session:
        return await cancellation.cancel(self.runtime, session_id, body)

    @implements(api.invite_guest)
    async def invite_guest(self, session_id: str, body: GuestInvitation) -> Reply:
        return await guests.invite(self.runtime, session_id, body)

    @implements(api.join_waiting_list)
    async def join_waiting_list(self, session_id: str, body: JoinWaitingList) -> Reply:
        return await waiting_list.join(self.runtime, session_id, body)
