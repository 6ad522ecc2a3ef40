"""The session service's internal API: booked sessions, their conflicts, a user's history, and the
command routes the API gateway calls: booking, the gym admin's decision, cancellation, guests and
waiting lists."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from solo60.contracts.communication import MailboxAddress
from solo60.contracts.errors import ErrorCode
from solo60.contracts.gym import SLOT_START_PATTERN
from solo60.contracts.models import Email, Id, PageInfo, PageQuery, RequestModel, ResponseModel, Timestamp
from solo60.contracts.route import Contract, Link, Route

LONGEST_CONFLICT_CHECK = timedelta(hours=24)
MOST_CONFLICTS_LISTED = 100
MOST_GUESTS_PER_BOOKING = 20
"""A hard ceiling whatever the gym allows: a booking body is not a mailing list."""

_PRINTABLE_LINE = r"^[^\x00-\x1f\x7f]*$"

PersonName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, strip_whitespace=True, pattern=_PRINTABLE_LINE),
    Field(description="A name as it appears in a mail greeting (no control characters)."),
]
_SLOT_TIME = re.compile(SLOT_START_PATTERN)


def _in_the_years_slots_are_sold(value: Any) -> Any:
    """The one spelling the document states (as the gym's pricing takes it); a datetime is held to its years.

    A matching string is parsed here, since a strict model takes only a datetime once a validator
    has run before it.
    """
    if isinstance(value, str):
        if not _SLOT_TIME.fullmatch(value):
            raise ValueError("must be an RFC 3339 date-time such as 2030-01-07T10:00:00Z in the years 2000 to 2099")
        return datetime.fromisoformat(value)
    if isinstance(value, datetime) and not 2000 <= value.year <= 2099:
        raise ValueError("must be in the years 2000 to 2099")
    return value


SlotTime = Annotated[
    Timestamp,
    BeforeValidator(_in_the_years_slots_are_sold),
    Field(json_schema_extra={"pattern": SLOT_START_PATTERN}),
]
"""A slot's start or end: RFC 3339 with `T` and an offset, in the years 2000 to 2099."""

Reason = Annotated[
    str,
    StringConstraints(min_length=1, max_length=500, strip_whitespace=True, pattern=_PRINTABLE_LINE),
    Field(description="Why, in one line; quoted in the mail to the member or guests."),
]


class SessionStatus(StrEnum):
    PENDING_APPROVAL = "PENDING_APPROVAL"
    CONFIRMED = "CONFIRMED"
    CANCELLED = "CANCELLED"
    COMPLETED = "COMPLETED"


OCCUPYING_STATUSES = (SessionStatus.PENDING_APPROVAL, SessionStatus.CONFIRMED)
"""Sessions in these statuses hold their slot: no other session of the gym may overlap them."""


class Guest(ResponseModel):
    """Someone the member invited to the session."""

    email: Email
    name: str | None = None
    invited_at: Timestamp


SESSION_EXAMPLE: dict[str, Any] = {
    "id": "9b2f6c1e-4d7a-4e0b-8f3c-2a1d5e6f7a8b",
    "userId": "123",
    "gymId": "gym-1",
    "status": "CONFIRMED",
    "startsAt": "2025-03-03T17:00:00Z",
    "endsAt": "2025-03-03T18:00:00Z",
    "durationMinutes": 60,
    "priceCredits": 15,
    "guests": [{"email": "grace@example.com", "name": "Grace Hopper", "invitedAt": "2025-03-01T09:00:00Z"}],
    "createdAt": "2025-03-01T08:59:00Z",
    "updatedAt": "2025-03-01T09:00:00Z",
    "cancelledAt": None,
}


class Session(ResponseModel):
    """A member's booking of a whole gym for one slot."""

    model_config = ConfigDict(json_schema_extra={"examples": [SESSION_EXAMPLE]})

    id: Id
    user_id: Id
    gym_id: Id
    status: SessionStatus
    starts_at: Timestamp
    ends_at: Timestamp
    duration_minutes: int
    price_credits: int = Field(description="Credits debited for the booking (refunded when it is cancelled).")
    guests: list[Guest]
    created_at: Timestamp
    updated_at: Timestamp
    cancelled_at: Timestamp | None = None
    approved_at: Timestamp | None = Field(default=None, description="When the gym admin approved the booking.")
    rejected_at: Timestamp | None = Field(
        default=None, description="When the gym admin rejected the booking (it is then CANCELLED and refunded)."
    )
    cancellation_reason: str | None = None


class GuestInvitation(RequestModel):
    """Someone the member brings along; they get an invitation mail once the session is confirmed."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"email": "grace@example.com", "name": "Grace Hopper"}, {"email": "a@b.io"}]}
    )

    email: MailboxAddress
    name: PersonName | None = None


class BookSession(RequestModel):
    """A member books a whole gym for one slot; the price comes from the gym, the credits from payment."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "userId": "123",
                    "gymId": "gym-1",
                    "startsAt": "2030-01-07T17:00:00Z",
                    "durationMinutes": 60,
                    "guests": [{"email": "grace@example.com", "name": "Grace Hopper"}],
                },
                {"userId": "123", "gymId": "gym-1", "startsAt": "2030-01-08T10:00:00Z", "durationMinutes": 90},
            ]
        }
    )

    user_id: Id
    gym_id: Id
    starts_at: SlotTime = Field(description="In the future; the gym decides which starts and lengths it sells.")
    duration_minutes: int = Field(ge=1, le=1440)
    guests: list[GuestInvitation] = Field(
        default_factory=list, max_length=MOST_GUESTS_PER_BOOKING, description="At most the gym's `maxGuests`."
    )

    @field_validator("guests")
    @classmethod
    def _each_guest_once(cls, guests: list[GuestInvitation]) -> list[GuestInvitation]:
        addresses = [guest.email.lower() for guest in guests]
        if len(set(addresses)) != len(addresses):
            raise ValueError("lists the same guest email more than once")
        return guests


class ApproveSession(RequestModel):
    """The gym admin's approval; `adminUserId` must be the gym's admin (GYM_ADMIN) or a PLATFORM_ADMIN."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"adminUserId": "42"}]})

    admin_user_id: Id


class RejectSession(RequestModel):
    """The gym admin's rejection: the session is CANCELLED and its credits refunded."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"adminUserId": "42", "reason": "The gym is closed for a private event."}]}
    )

    admin_user_id: Id
    reason: Reason | None = None


class CancelSession(RequestModel):
    """A cancellation; send `{}` when there is no reason to give."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "I am ill."}, {}]})

    reason: Reason | None = None


class JoinWaitingList(RequestModel):
    """A member who wants the slot this session holds, should it free up."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"userId": "456"}]})

    user_id: Id


class WaitingListEntry(ResponseModel):
    """A member's place on the waiting list of a taken slot; `notifiedAt` is set once the slot freed up."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0f5b3c2a-8d9e-4f10-b2a3-c4d5e6f7a8b9",
                    "sessionId": "9b2f6c1e-4d7a-4e0b-8f3c-2a1d5e6f7a8b",
                    "userId": "456",
                    "position": 1,
                    "joinedAt": "2025-03-01T10:00:00Z",
                    "notifiedAt": None,
                }
            ]
        }
    )

    id: Id
    session_id: Id
    user_id: Id
    position: int = Field(description="1 for the first member who joined.")
    joined_at: Timestamp
    notified_at: Timestamp | None = None


class ConflictCheckRequest(RequestModel):
    """A slot someone wants to book; `excludeSessionId` leaves out the session being moved or re-checked."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"gymId": "gym-1", "startsAt": "2025-03-03T17:00:00Z", "endsAt": "2025-03-03T18:00:00Z"},
                {
                    "gymId": "gym-1",
                    "startsAt": "2025-03-03T17:30:00Z",
                    "endsAt": "2025-03-03T18:30:00Z",
                    "excludeSessionId": "9b2f6c1e-4d7a-4e0b-8f3c-2a1d5e6f7a8b",
                },
            ]
        }
    )

    gym_id: Id
    starts_at: SlotTime
    ends_at: SlotTime = Field(description="After `startsAt`, and at most 24 hours later.")
    exclude_session_id: Id | None = None

    @field_validator("ends_at")
    @classmethod
    def _a_sensible_interval(cls, ends_at: datetime, info: ValidationInfo) -> datetime:
        starts_at = info.data.get("starts_at")
        if starts_at is None:
            return ends_at
        if ends_at <= starts_at:
            raise ValueError("must be after startsAt")
        if ends_at - starts_at > LONGEST_CONFLICT_CHECK:
            raise ValueError("must be at most 24 hours after startsAt")
        return ends_at


class ConflictingSession(ResponseModel):
    """A session that already holds part of the slot."""

    id: Id
    status: SessionStatus
    starts_at: Timestamp
    ends_at: Timestamp


class ConflictCheck(ResponseModel):
    """Whether the slot is free; `conflicts` lists (up to 100) sessions holding it, earliest first."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "hasConflict": True,
                    "conflicts": [
                        {
                            "id": "9b2f6c1e-4d7a-4e0b-8f3c-2a1d5e6f7a8b",
                            "status": "CONFIRMED",
                            "startsAt": "2025-03-03T17:00:00Z",
                            "endsAt": "2025-03-03T18:00:00Z",
                        }
                    ],
                }
            ]
        }
    )

    has_conflict: bool
    conflicts: list[ConflictingSession]


class SessionsQuery(PageQuery):
    status: SessionStatus | None = Field(default=None, description="Only sessions in this status.")


class SessionList(PageInfo):
    """One page of a user's sessions; `total` counts every session matching the filter."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"sessions": [SESSION_EXAMPLE], "page": 1, "pageSize": 20, "total": 1}]}
    )

    sessions: list[Session]


class SessionServiceContract(Contract):
    service = "session"
    title = "Solo60 session service"
    description = (
        "Booked gym sessions: read one, check a slot for conflicts, list a user's sessions; book, approve, "
        "reject and cancel sessions, invite guests and join waiting lists."
    )

    get_session = Route(
        "GET",
        "/internal/sessions/{sessionId}",
        summary="Get a session by id",
        responses={200: Session},
        errors=[ErrorCode.NOT_FOUND],
    )
    check_conflicts = Route(
        "POST",
        "/internal/sessions/conflicts",
        summary="Check whether a slot in a gym is free",
        description=(
            "Sessions PENDING_APPROVAL or CONFIRMED hold their slot; CANCELLED and COMPLETED ones do not. Two "
            "intervals conflict when each starts before the other ends, so back-to-back sessions do not. A gym "
            "the session service has never seen simply has no conflicts. Read-only, so safe to retry."
        ),
        body=ConflictCheckRequest,
        responses={200: ConflictCheck},
        idempotent=True,
    )
    get_sessions_by_user = Route(
        "GET",
        "/internal/sessions/by-user/{userId}",
        summary="List a user's sessions, latest slot first",
        description=(
            "Ordered by `startsAt` descending (then by id), so upcoming sessions come before past ones. A page "
            "past the end is empty, with the real `total`; a user without sessions gets an empty list, not 404."
        ),
        query=SessionsQuery,
        responses={200: SessionList},
    )
    book_session = Route(
        "POST",
        "/internal/sessions",
        summary="Book a slot for a member",
        description=(
            "Checks that the member exists and is ACTIVE (404, 403), prices the slot with the gym service (404 for "
            "an unknown gym, 400 naming the field for a slot the gym does not sell, 409 for a closed gym or more "
            "guests than the gym's `maxGuests`), holds the slot (409 when another session holds part of it), then "
            "debits the price from the member's credits. When the credits are short the answer is 402 naming the "
            "price and the shortfall, and nothing is kept. The session is PENDING_APPROVAL when the gym requires "
            "approval (its admin gets an approval request), else CONFIRMED (guests get their invitations); "
            "members of noise-sensitive gyms get a noise warning. Mails leave through an outbox, so a mail outage "
            "never fails a booking. A repeat with the same Idempotency-Key returns the first booking; when the "
            "payment service cannot be reached the answer is 503 and the same key may be retried."
        ),
        body=BookSession,
        responses={201: Session},
        errors=[ErrorCode.NOT_FOUND, ErrorCode.FORBIDDEN, ErrorCode.CONFLICT, ErrorCode.INSUFFICIENT_CREDITS],
        idempotency_key=True,
        calls_upstream=True,
        links=[Link("GetBookedSession", "get_session", {"sessionId": "$response.body#/id"}, status=201)],
    )
    approve_session = Route(
        "POST",
        "/internal/sessions/{sessionId}/approve",
        summary="Approve a booking that awaits the gym admin",
        description=(
            "PENDING_APPROVAL becomes CONFIRMED; the member is told and the guests get their invitations. Only the "
            "gym's admin (holding GYM_ADMIN) or a PLATFORM_ADMIN may decide (403). Approving an approved session "
            "again answers it unchanged; any other status is 409."
        ),
        body=ApproveSession,
        responses={200: Session},
        errors=[ErrorCode.NOT_FOUND, ErrorCode.FORBIDDEN, ErrorCode.CONFLICT],
        idempotent=True,
        calls_upstream=True,
    )
    reject_session = Route(
        "POST",
        "/internal/sessions/{sessionId}/reject",
        summary="Reject a booking that awaits the gym admin",
        description=(
            "PENDING_APPROVAL becomes CANCELLED: the credits are refunded, the member is told (with the reason) "
            "and the slot's waiting list hears that it is free. Who may decide is as for approval. Rejecting a "
            "rejected session again answers it unchanged; any other status is 409."
        ),
        body=RejectSession,
        responses={200: Session},
        errors=[ErrorCode.NOT_FOUND, ErrorCode.FORBIDDEN, ErrorCode.CONFLICT],
        idempotent=True,
        calls_upstream=True,
    )
    cancel_session = Route(
        "POST",
        "/internal/sessions/{sessionId}/cancel",
        summary="Cancel a session",
        description=(
            "The session becomes CANCELLED at once; the refund, the mails to invited guests and the notices to "
            "the slot's waiting list follow through an outbox, so a payment or mail outage delays them but never "
            "fails the cancellation, and a retried refund never pays twice. Cancelling a cancelled session answers "
            "it unchanged; a COMPLETED session, or one that has started, is 409."
        ),
        body=CancelSession,
        responses={200: Session},
        errors=[ErrorCode.NOT_FOUND, ErrorCode.CONFLICT],
        idempotent=True,
        calls_upstream=True,
    )
    invite_guest = Route(
        "POST",
        "/internal/sessions/{sessionId}/guests",
        summary="Invite a guest to a session",
        description=(
            "Adds the guest (201); inviting the same address again answers 200 and sends nothing. The guest is "
            "mailed an invitation now if the session is CONFIRMED, else when the gym admin approves it. 409 when "
            "the session is cancelled, completed or started, or already has the gym's `maxGuests` guests."
        ),
        body=GuestInvitation,
        responses={201: Session, 200: Session},
        errors=[ErrorCode.NOT_FOUND, ErrorCode.CONFLICT],
        idempotent=True,
        calls_upstream=True,
    )
    join_waiting_list = Route(
        "POST",
        "/internal/sessions/{sessionId}/waiting-list",
        summary="Join the waiting list of the slot a session holds",
        description=(
            "The member (who must exist, 404, and be ACTIVE, 403) is told by mail if the session is cancelled or "
            "rejected. Joining again answers the same entry with 200. 409 when the session no longer holds its "
            "slot (book it instead) or the member is the one who booked it."
        ),
        body=JoinWaitingList,
        responses={201: WaitingListEntry, 200: WaitingListEntry},
        errors=[ErrorCode.NOT_FOUND, ErrorCode.FORBIDDEN, ErrorCode.CONFLICT],
        idempotent=True,
        calls_upstream=True,
    )
