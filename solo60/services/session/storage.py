"""The session service's tables and queries.

Sessions that hold their slot (PENDING_APPROVAL, CONFIRMED) never overlap in a gym, and the
database itself guarantees it, so two concurrent bookings cannot both win: on PostgreSQL an
exclusion constraint over `(gym_id, tstzrange(starts_at, ends_at))`, on SQLite triggers
(writers are serialised there, so a trigger's check sees every committed booking). See the
first migration; `add_session` turns a violation into `SlotTaken`.

A booking holds its slot before it is paid for: the session row is inserted with `booked_at`
unset (a reservation, invisible to reads but holding the slot), and `booked_at` is set once
the credits are debited. `booking_requests` remembers each booking's Idempotency-Key, and
`outbox_messages` the calls (mails, refunds) that follow a change.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from solo60.contracts.session import OCCUPYING_STATUSES, SessionStatus
from solo60.services.kit import UtcDateTime, insert_or_ignore, new_metadata, outbox_table, utc_now

OVERLAP_CONSTRAINT = "ex_sessions_no_overlap"
"""The exclusion constraint (PostgreSQL) and the trigger message (SQLite) that refuse an overlap."""

POSTGRES_EXCLUSION_VIOLATION = "23P01"
POSTGRES_DEADLOCK = "40P01"
"""Concurrent inserts of overlapping sessions may wait on each other's exclusion check; PostgreSQL
then aborts one of them as a deadlock, which means the same as a violation: someone else got there."""


class Base(DeclarativeBase):
    metadata = new_metadata()


class GuestRow(Base):
    """A guest invited to a session; one invitation per email address and session."""

    __tablename__ = "session_guests"
    __table_args__ = (sa.UniqueConstraint("session_id", "email_key"),)

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    session_id: Mapped[str] = mapped_column(sa.String(64), sa.ForeignKey("sessions.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(sa.String(254))
    email_key: Mapped[str] = mapped_column(sa.String(254))
    name: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    invited_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WaitingListRow(Base):
    """A member waiting for the slot a session holds; told when it frees up."""

    __tablename__ = "waiting_list_entries"
    __table_args__ = (sa.UniqueConstraint("session_id", "user_id"),)

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    session_id: Mapped[str] = mapped_column(sa.String(64), sa.ForeignKey("sessions.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(sa.String(64))
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime)
    notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class SessionRow(Base):
    __tablename__ = "sessions"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("price_credits >= 0", name="price_not_negative"),
        sa.CheckConstraint(
            "status IN ('PENDING_APPROVAL', 'CONFIRMED', 'CANCELLED', 'COMPLETED')", name="known_status"
        ),
        sa.Index("ix_sessions_user_id_starts_at", "user_id", "starts_at"),
        sa.Index("ix_sessions_gym_id_starts_at", "gym_id", "starts_at"),
    )

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(sa.String(64))
    gym_id: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(16))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    price_credits: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    booked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    """Unset while the booking is being paid for: the row then only holds the slot."""
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    rejected_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    cancellation_reason: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)

    guests: Mapped[list[GuestRow]] = relationship(
        order_by=(GuestRow.invited_at, GuestRow.id), lazy="selectin", cascade="all, delete-orphan"
    )

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class BookingRequestRow(Base):
    """One booking request, by its Idempotency-Key: RESERVED while it is paid for, then BOOKED with its answer."""

    __tablename__ = "booking_requests"
    __table_args__ = (sa.CheckConstraint("status IN ('RESERVED', 'BOOKED')", name="known_status"),)

    idempotency_key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    session_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[str] = mapped_column(sa.String(64))
    price_credits: Mapped[int] = mapped_column(sa.Integer)
    noise_warning: Mapped[bool] = mapped_column(sa.Boolean)
    status: Mapped[str] = mapped_column(sa.String(16))
    response: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


RESERVED = "RESERVED"
BOOKED = "BOOKED"

metadata = Base.metadata
outbox = outbox_table(metadata)

_OCCUPYING = [status.value for status in OCCUPYING_STATUSES]


class SlotTaken(Exception):
    """Another session already holds part of this slot in the gym."""


async def find_session(session: AsyncSession, session_id: str, *, for_update: bool = False) -> SessionRow | None:
    """A booked session (a reservation still being paid for is not one yet); `for_update` locks its row."""
    query = sa.select(SessionRow).where(SessionRow.id == session_id, SessionRow.booked_at.is_not(None))
    if for_update:
        query = query.with_for_update()
    return (await session.scalars(query)).first()


async def sessions_of_user(
    session: AsyncSession, user_id: str, *, status: SessionStatus | None, page: int, page_size: int
) -> tuple[Sequence[SessionRow], int]:
    """One page of the user's sessions, latest slot first, and how many match in all."""
    matching = sa.and_(SessionRow.user_id == user_id, SessionRow.booked_at.is_not(None))
    if status is not None:
        matching = sa.and_(matching, SessionRow.status == status.value)
    total = await session.scalar(sa.select(sa.func.count()).select_from(SessionRow).where(matching))
    rows = await session.scalars(
        sa.select(SessionRow)
        .where(matching)
        .order_by(SessionRow.starts_at.desc(), SessionRow.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return rows.all(), int(total or 0)


async def conflicting_sessions(
    session: AsyncSession,
    gym_id: str,
    starts_at: datetime,
    ends_at: datetime,
    *,
    exclude_session_id: str | None = None,
    limit: int = 100,
) -> Sequence[sa.Row[str, str, datetime, datetime]]:
    """Sessions holding part of `[starts_at, ends_at)` in the gym, earliest first."""
    query = (
        sa.select(SessionRow.id, SessionRow.status, SessionRow.starts_at, SessionRow.ends_at)
        .where(
            SessionRow.gym_id == gym_id,
            SessionRow.status.in_(_OCCUPYING),
            SessionRow.starts_at < ends_at,
            SessionRow.ends_at > starts_at,
        )
        .order_by(SessionRow.starts_at, SessionRow.id)
        .limit(limit)
    )
    if exclude_session_id is not None:
        query = query.where(SessionRow.id != exclude_session_id)
    return (await session.execute(query)).all()


async def add_session(
    session: AsyncSession,
    *,
    user_id: str,
    gym_id: str,
    starts_at: datetime,
    ends_at: datetime,
    price_credits: int,
    status: SessionStatus = SessionStatus.CONFIRMED,
    guests: Iterable[tuple[str, str | None]] = (),
    session_id: str | None = None,
    reserved: bool = False,
) -> SessionRow:
    """Insert a session (or, `reserved`, a slot held until paid); the database decides a race for one slot."""
    now = utc_now()
    row = SessionRow(
        id=session_id or str(uuid.uuid4()),
        user_id=user_id,
        gym_id=gym_id,
        status=status.value,
        starts_at=starts_at,
        ends_at=ends_at,
        price_credits=price_credits,
        created_at=now,
        updated_at=now,
        cancelled_at=now if status is SessionStatus.CANCELLED else None,
        booked_at=None if reserved else now,
        guests=[
            GuestRow(id=str(uuid.uuid4()), email=email, email_key=email.strip().lower(), name=name, invited_at=now)
            for email, name in guests
        ],
    )
    session.add(row)
    try:
        await session.flush()
    except DBAPIError as error:
        if is_overlap(error):
            raise SlotTaken(f"gym {gym_id!r} is already booked between {starts_at} and {ends_at}") from error
        raise
    return row


async def remove_sessions(
    session: AsyncSession,
    *,
    session_ids: Iterable[str] = (),
    user_id: str | None = None,
    occupying: tuple[str, datetime, datetime] | None = None,
) -> None:
    """Delete sessions by id, of a user, or holding part of a (gym, start, end) slot: provider states seed this way."""
    conditions: list[sa.ColumnElement[bool]] = []
    ids = list(session_ids)
    if ids:
        conditions.append(SessionRow.id.in_(ids))
    if user_id is not None:
        conditions.append(SessionRow.user_id == user_id)
    if occupying is not None:
        gym_id, starts_at, ends_at = occupying
        conditions.append(
            sa.and_(
                SessionRow.gym_id == gym_id,
                SessionRow.status.in_(_OCCUPYING),
                SessionRow.starts_at < ends_at,
                SessionRow.ends_at > starts_at,
            )
        )
    if conditions:
        await session.execute(sa.delete(SessionRow).where(sa.or_(*conditions)))


def is_overlap(error: DBAPIError) -> bool:
    """Whether the database refused a write because the session would overlap a held one."""
    original = error.orig
    if getattr(original, "sqlstate", None) in {POSTGRES_EXCLUSION_VIOLATION, POSTGRES_DEADLOCK}:
        return True
    return isinstance(error, IntegrityError) and OVERLAP_CONSTRAINT in str(original)


# -- booking requests: a slot held until paid ------------------------------------------------


async def find_booking_request(session: AsyncSession, key: str) -> BookingRequestRow | None:
    return await session.get(BookingRequestRow, key)


async def reserve(
    session: AsyncSession,
    *,
    key: str,
    fingerprint: str,
    user_id: str,
    gym_id: str,
    starts_at: datetime,
    ends_at: datetime,
    price_credits: int,
    status: SessionStatus,
    guests: Iterable[tuple[str, str | None]],
    noise_warning: bool,
) -> BookingRequestRow | None:
    """Claim the key and hold the slot together; None when another request claimed the key first.

    `SlotTaken` means the slot is held by someone else; the caller's transaction then rolls back
    the claim too, so the key stays free.
    """
    now = utc_now()
    request = BookingRequestRow(
        idempotency_key=key,
        fingerprint=fingerprint,
        session_id=str(uuid.uuid4()),
        user_id=user_id,
        price_credits=price_credits,
        noise_warning=noise_warning,
        status=RESERVED,
        response=None,
        created_at=now,
        updated_at=now,
    )
    values = {column.key: getattr(request, column.key) for column in metadata.tables["booking_requests"].columns}
    if not await insert_or_ignore(
        session, metadata.tables["booking_requests"], values, conflict_on=["idempotency_key"]
    ):
        return None
    await add_session(
        session,
        session_id=request.session_id,
        user_id=user_id,
        gym_id=gym_id,
        starts_at=starts_at,
        ends_at=ends_at,
        price_credits=price_credits,
        status=status,
        guests=guests,
        reserved=True,
    )
    return request


async def complete_booking(session: AsyncSession, key: str, session_id: str) -> SessionRow | None:
    """The paid reservation becomes a booked session; None when it is no longer reserved (released)."""
    now = utc_now()
    claimed = await session.scalar(
        sa.update(BookingRequestRow)
        .where(
            BookingRequestRow.idempotency_key == key,
            BookingRequestRow.session_id == session_id,
            BookingRequestRow.status == RESERVED,
        )
        .values(status=BOOKED, updated_at=now)
        .returning(BookingRequestRow.session_id)
    )
    if claimed is None:
        return None
    booked = sa.update(SessionRow).where(SessionRow.id == session_id).values(booked_at=now, updated_at=now)
    await session.execute(booked)
    return await find_session(session, session_id)


async def keep_booking_answer(session: AsyncSession, key: str, response: dict[str, Any]) -> None:
    await session.execute(
        sa.update(BookingRequestRow).where(BookingRequestRow.idempotency_key == key).values(response=response)
    )


async def release_reservation(session: AsyncSession, key: str, session_id: str) -> BookingRequestRow | None:
    """Forget an unpaid booking and free its slot; the request it was, or None when it is not reserved."""
    request = (
        await session.scalars(
            sa.select(BookingRequestRow)
            .where(
                BookingRequestRow.idempotency_key == key,
                BookingRequestRow.session_id == session_id,
                BookingRequestRow.status == RESERVED,
            )
            .with_for_update()
        )
    ).first()
    if request is None:
        return None
    await session.execute(sa.delete(SessionRow).where(SessionRow.id == session_id, SessionRow.booked_at.is_(None)))
    await session.execute(sa.delete(BookingRequestRow).where(BookingRequestRow.idempotency_key == key))
    return request


# -- guests and waiting lists ------------------------------------------------------------------


def email_key(email: str) -> str:
    return email.strip().lower()


async def add_guest(session: AsyncSession, row: SessionRow, email: str, name: str | None) -> GuestRow:
    guest = GuestRow(id=str(uuid.uuid4()), email=email, email_key=email_key(email), name=name, invited_at=utc_now())
    row.guests.append(guest)
    row.updated_at = guest.invited_at
    await session.flush()
    return guest


async def join_waiting_list(session: AsyncSession, session_id: str, user_id: str) -> tuple[WaitingListRow, bool]:
    """The member's entry on the session's waiting list, and whether it is new; joining twice is one entry."""
    joined = await insert_or_ignore(
        session,
        metadata.tables["waiting_list_entries"],
        {"id": str(uuid.uuid4()), "session_id": session_id, "user_id": user_id, "joined_at": utc_now()},
        conflict_on=["session_id", "user_id"],
    )
    entry = (
        await session.scalars(
            sa.select(WaitingListRow).where(WaitingListRow.session_id == session_id, WaitingListRow.user_id == user_id)
        )
    ).one()
    return entry, joined


async def waiting_position(session: AsyncSession, entry: WaitingListRow) -> int:
    ahead = await session.scalar(
        sa.select(sa.func.count())
        .select_from(WaitingListRow)
        .where(
            WaitingListRow.session_id == entry.session_id,
            sa.or_(
                WaitingListRow.joined_at < entry.joined_at,
                sa.and_(WaitingListRow.joined_at == entry.joined_at, WaitingListRow.id < entry.id),
            ),
        )
    )
    return int(ahead or 0) + 1


async def waiting_to_notify(session: AsyncSession, session_id: str) -> Sequence[WaitingListRow]:
    """Who waits for the session's slot and has not been told it is free, first come first."""
    rows = await session.scalars(
        sa.select(WaitingListRow)
        .where(WaitingListRow.session_id == session_id, WaitingListRow.notified_at.is_(None))
        .order_by(WaitingListRow.joined_at, WaitingListRow.id)
    )
    return rows.all()


# -- the outbox ------------------------------------------------------------------------------


async def outbox_messages(session: AsyncSession) -> Sequence[sa.Row[Any]]:
    """Every message with its status, oldest first: what the flows promised to do and how it went."""
    return (await session.execute(sa.select(outbox).order_by(outbox.c.created_at, outbox.c.id))).all()
