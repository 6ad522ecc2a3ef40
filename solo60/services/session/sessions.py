"""A session as the flows read it: an existing one (else 404) and its answer on the wire."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from solo60.contracts.session import Session
from solo60.services.kit import NotFound
from solo60.services.session import storage
from solo60.services.session.storage import SessionRow


async def existing(session: AsyncSession, session_id: str, *, for_update: bool = False) -> SessionRow:
    """The booked session; `for_update` locks it until the transaction ends (decisions, guests, cancellation)."""
    row = await storage.find_session(session, session_id, for_update=for_update)
    if row is None:
        raise NotFound(f"Session {session_id!r} does not exist.")
    return row


def as_session(row: SessionRow) -> Session:
    return Session.model_validate(row, from_attributes=True)
