"""The session service's events: a booking's life, as the mails about it need to know it.

The payloads carry the facts a reader needs without asking back (event-carried state): the
gym as the session service saw it when it published (name, time zone, the admin's address)
and the member's name. The session service looks these up when it publishes, exactly as it
used to when it sent the mails itself.
"""

from __future__ import annotations

from typing import Literal

from solo60.contracts.events.envelope import EventContract, EventPayload, declare
from solo60.contracts.models import Email, Id, Timestamp

PRODUCER = "session"


class GymFacts(EventPayload):
    """The gym a session is at, as the gym service described it when the event left."""

    gym_id: Id
    name: str
    timezone: str
    admin_email: Email


class Person(EventPayload):
    user_id: Id
    name: str


class Guest(EventPayload):
    guest_id: Id
    email: Email
    name: str | None = None


class SessionFacts(EventPayload):
    """What every session event says: which session, where, when, whose."""

    session_id: Id
    gym: GymFacts
    member: Person
    starts_at: Timestamp


class SessionBooked(SessionFacts):
    status: Literal["PENDING_APPROVAL", "CONFIRMED"]
    guests: list[Guest]
    noise_warning: bool
    """The gym is noise-sensitive and the slot is in its quiet hours: the member is asked to keep it down."""


class SessionApproved(SessionFacts):
    pass


class SessionRejected(SessionFacts):
    reason: str | None = None


class SessionCancelled(SessionFacts):
    reason: str | None = None
    guests_to_tell: list[Guest]
    """The guests who had been invited (a pending session's guests were not yet)."""


class GuestInvited(SessionFacts):
    guest: Guest


class WaitingListSpotOpened(SessionFacts):
    waiting: Person
    """Who was waiting for the slot."""


SESSION_BOOKED = declare(
    EventContract(
        "session.booked", 1, PRODUCER, SessionBooked, "A member booked a slot (confirmed or awaiting approval)."
    )
)
SESSION_APPROVED = declare(
    EventContract("session.approved", 1, PRODUCER, SessionApproved, "The gym approved a session awaiting approval.")
)
SESSION_REJECTED = declare(
    EventContract("session.rejected", 1, PRODUCER, SessionRejected, "The gym rejected a session; credits go back.")
)
SESSION_CANCELLED = declare(
    EventContract("session.cancelled", 1, PRODUCER, SessionCancelled, "The member cancelled a session.")
)
GUEST_INVITED = declare(
    EventContract("session.guest_invited", 1, PRODUCER, GuestInvited, "A guest was invited to a confirmed session.")
)
WAITING_LIST_SPOT_OPENED = declare(
    EventContract(
        "session.waiting_list_spot_opened",
        1,
        PRODUCER,
        WaitingListSpotOpened,
        "A slot someone waited for is free again.",
    )
)
