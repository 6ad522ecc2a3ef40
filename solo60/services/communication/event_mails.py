"""Which mails each domain event calls for, and what their templates are filled with.

Pure functions of the event's payload: what used to be composed by session and subscription
and sent to `send-async` is now composed here from the facts their events carry. Dates are
written as members read them: a session's start on the gym's clock, a plan's dates in UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel

from solo60.contracts.communication import TemplateKey
from solo60.contracts.events.envelope import EventContract
from solo60.contracts.events.session import (
    GUEST_INVITED,
    SESSION_APPROVED,
    SESSION_BOOKED,
    SESSION_CANCELLED,
    SESSION_REJECTED,
    WAITING_LIST_SPOT_OPENED,
    Guest,
    GuestInvited,
    SessionApproved,
    SessionBooked,
    SessionCancelled,
    SessionFacts,
    SessionRejected,
    WaitingListSpotOpened,
)
from solo60.contracts.events.subscription import (
    CREDITS_ALLOCATED,
    PAYMENT_FAILED,
    RENEWAL_DUE,
    SUBSCRIPTION_ACTIVATED,
    SUBSCRIPTION_CANCELLED,
    TRIAL_ENDING,
    CreditsAllocated,
    PaymentFailed,
    RenewalDue,
    SubscriptionActivated,
    SubscriptionCancelled,
    TrialEnding,
)


@dataclass(frozen=True)
class EventMail:
    """One mail an event calls for: a template, one recipient (a user or an address), its variables."""

    template_key: TemplateKey
    variables: dict[str, Any] = field(default_factory=dict)
    user_id: str | None = None
    email: str | None = None


def day(moment: datetime) -> str:
    """`1 February 2025` (UTC), as the subscription mails always read."""
    return f"{moment.day} {moment:%B %Y}"


def local_time(moment: datetime, timezone: str) -> str:
    """`Monday 7 January 2030, 17:00 (Europe/London)`: the start as the member reads the gym's clock."""
    try:
        local = moment.astimezone(ZoneInfo(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        local, timezone = moment, "UTC"
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} ({timezone})"


# -- session ---------------------------------------------------------------------------------


def _at(event: SessionFacts) -> dict[str, Any]:
    return {"gymName": event.gym.name, "startsAt": local_time(event.starts_at, event.gym.timezone)}


def _to_member(template: TemplateKey, event: SessionFacts, **variables: Any) -> EventMail:
    return EventMail(template, {**_at(event), "name": event.member.name, **variables}, user_id=event.member.user_id)


def _to_guest(template: TemplateKey, event: SessionFacts, guest: Guest, **variables: Any) -> EventMail:
    greeting = {"name": guest.name} if guest.name else {}
    return EventMail(template, {**_at(event), **greeting, **variables}, email=guest.email)


def session_booked(event: SessionBooked) -> list[EventMail]:
    """A booking awaiting approval asks the gym's admin; a noise-sensitive slot warns the member."""
    mails = []
    if event.status == "PENDING_APPROVAL":
        guests = ", ".join(guest.name or guest.email for guest in event.guests) or "none"
        variables = {
            **_at(event),
            "name": f"{event.gym.name} team",
            "memberName": event.member.name,
            "sessionId": event.session_id,
            "guests": guests,
        }
        mails.append(EventMail(TemplateKey.SESSION_APPROVAL_REQUEST, variables, email=event.gym.admin_email))
    if event.noise_warning:
        mails.append(_to_member(TemplateKey.NOISE_WARNING, event))
    return mails


def session_approved(event: SessionApproved) -> list[EventMail]:
    return [_to_member(TemplateKey.SESSION_APPROVED, event)]


def session_rejected(event: SessionRejected) -> list[EventMail]:
    reason = {"reason": event.reason} if event.reason else {}
    return [_to_member(TemplateKey.SESSION_REJECTED, event, **reason)]


def session_cancelled(event: SessionCancelled) -> list[EventMail]:
    reason = {"reason": event.reason} if event.reason else {}
    return [_to_guest(TemplateKey.SESSION_CANCELLED, event, guest, **reason) for guest in event.guests_to_tell]


def guest_invited(event: GuestInvited) -> list[EventMail]:
    return [_to_guest(TemplateKey.GUEST_INVITATION, event, event.guest, hostName=event.member.name)]


def spot_opened(event: WaitingListSpotOpened) -> list[EventMail]:
    variables = {**_at(event), "name": event.waiting.name}
    return [EventMail(TemplateKey.SPOT_AVAILABLE, variables, user_id=event.waiting.user_id)]


# -- subscription ----------------------------------------------------------------------------


def subscription_activated(event: SubscriptionActivated) -> list[EventMail]:
    variables = {"planName": event.plan_name, "monthlyCredits": event.monthly_credits, "renewsAt": day(event.renews_at)}
    return [EventMail(TemplateKey.SUBSCRIPTION_ACTIVATED, variables, user_id=event.user_id)]


def subscription_cancelled(event: SubscriptionCancelled) -> list[EventMail]:
    variables = {"planName": event.plan_name, "endedAt": day(event.ended_at)}
    return [EventMail(TemplateKey.SUBSCRIPTION_EXPIRED, variables, user_id=event.user_id)]


def credits_allocated(event: CreditsAllocated) -> list[EventMail]:
    variables = {"credits": event.credits, "planName": event.plan_name}
    return [EventMail(TemplateKey.PAYMENT_SUCCESS, variables, user_id=event.user_id)]


def payment_failed(event: PaymentFailed) -> list[EventMail]:
    variables: dict[str, Any] = {"planName": event.plan_name}
    if event.retry_at is not None:
        variables["retryAt"] = f"on {day(event.retry_at)}"
    return [EventMail(TemplateKey.PAYMENT_FAILED, variables, user_id=event.user_id)]


def renewal_due(event: RenewalDue) -> list[EventMail]:
    variables = {"planName": event.plan_name, "renewsAt": day(event.renews_at)}
    return [EventMail(TemplateKey.RENEWAL_REMINDER, variables, user_id=event.user_id)]


def trial_ending(event: TrialEnding) -> list[EventMail]:
    variables = {"planName": event.plan_name, "trialEndsAt": day(event.trial_ends_at)}
    return [EventMail(TemplateKey.TRIAL_ENDING, variables, user_id=event.user_id)]


MAILS_FOR: dict[EventContract[Any], Callable[[Any], list[EventMail]]] = {
    SESSION_BOOKED: session_booked,
    SESSION_APPROVED: session_approved,
    SESSION_REJECTED: session_rejected,
    SESSION_CANCELLED: session_cancelled,
    GUEST_INVITED: guest_invited,
    WAITING_LIST_SPOT_OPENED: spot_opened,
    SUBSCRIPTION_ACTIVATED: subscription_activated,
    SUBSCRIPTION_CANCELLED: subscription_cancelled,
    CREDITS_ALLOCATED: credits_allocated,
    PAYMENT_FAILED: payment_failed,
    RENEWAL_DUE: renewal_due,
    TRIAL_ENDING: trial_ending,
}
"""Every event communication consumes, and the mails it makes of it."""

CONSUMED = [contract.name for contract in MAILS_FOR]


def mails_for(contract: EventContract[Any], payload: BaseModel) -> list[EventMail]:
    return MAILS_FOR[contract](payload)
