"""Booking a slot: check the member and the slot, hold it, take the credits, confirm.

The order makes "a debit without a session" and "a session without a debit" impossible:

1. the member must be ACTIVE and the gym must sell the slot (user and gym services);
2. one transaction claims the Idempotency-Key and holds the slot (a session row not yet
   visible); the database refuses an overlapping hold, so of concurrent bookings of one slot
   only one goes on to pay;
3. the credits are debited with a key derived from the held session (`session-<id>-debit`), so
   retrying the same booking never pays twice;
4. one transaction makes the session visible, keeps the answer for the key and records the
   mails in the outbox.

A refused debit (402) or one that never reached payment releases the hold at once: nothing is
left behind. A debit with an unknown outcome keeps the hold for a retry with the same key: one
within half the hold finishes the booking (the debit key is the same, so payment answers its
first result); a later one releases the hold and books afresh. A hold nobody finishes is
released when it lapses, with a refund in case the debit happened (`holds.py`).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import TYPE_CHECKING

from solo60 import clients
from solo60.contracts.errors import FieldError
from solo60.contracts.gym import Gym, SlotPrice
from solo60.contracts.payment import DebitCredits
from solo60.contracts.session import BookSession, Session, SessionStatus
from solo60.services.kit import (
    Conflict,
    DependencyUnavailable,
    IdempotencyKeyReused,
    InsufficientCredits,
    Reply,
    ValidationFailed,
    utc_now,
)
from solo60.services.kit.idempotency import REPLAYED_HEADER, fingerprint
from solo60.services.kit.upstreams import upstream_failure
from solo60.services.session import follow_ups, gyms, holds, members, storage
from solo60.services.session.storage import BookingRequestRow

if TYPE_CHECKING:
    from solo60.services.session.runtime import SessionRuntime

CLAIM_ATTEMPTS = 3
NEEDS = ("user", "gym", "payment", "communication")


def debit_key(session_id: str) -> str:
    return f"session-{session_id}-debit"


async def book(runtime: SessionRuntime, body: BookSession, key: str) -> Reply:
    runtime.upstreams.require(*NEEDS)
    asked = fingerprint(body.model_dump(mode="json"))
    for _attempt in range(CLAIM_ATTEMPTS):
        async with runtime.db.read() as session:
            request = await storage.find_booking_request(session, key)
        if request is None:
            request = await _hold_slot(runtime, body, key, asked)
            if request is None:
                continue  # a concurrent request with this key claimed it first: join it
            return await _pay_and_confirm(runtime, request)
        if request.fingerprint != asked:
            raise IdempotencyKeyReused(
                f"Idempotency-Key {key!r} was already used for another booking; use a new key for a new booking."
            )
        if request.status == storage.BOOKED:
            return _replay(request)
        if request.created_at > utc_now() - runtime.config.booking_hold / 2:
            return await _pay_and_confirm(runtime, request)  # a retry of a booking whose payment did not finish
        # A retry long after: the hold is about to lapse. Release it (refunding whatever was
        # taken) and book afresh, under a new session id and so a new debit key.
        await holds.release(runtime.db, key, request.session_id, paid_perhaps=True)
        runtime.relay.wake()
    raise DependencyUnavailable(f"Booking with Idempotency-Key {key!r} is contended; retry with the same key.")


async def _member_gym_and_price(runtime: SessionRuntime, body: BookSession) -> tuple[Gym, SlotPrice]:
    """The member check, the gym and the slot's price, asked of the user and gym services at once.

    The three lookups do not depend on each other, so the booking waits for the slowest, not
    for their sum. When several fail, the caller hears the failure the member check, then the
    gym, then the price would have raised asked one after the other.
    """
    upstreams = runtime.upstreams
    outcomes = await asyncio.gather(
        members.active_member(upstreams.users, body.user_id, to="book a session"),
        gyms.find_gym(upstreams.gyms, body.gym_id),
        gyms.price_slot(upstreams.gyms, body.gym_id, body.starts_at, body.duration_minutes),
        return_exceptions=True,
    )
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    _member, gym, price = outcomes
    return gym, price


async def _hold_slot(runtime: SessionRuntime, body: BookSession, key: str, asked: str) -> BookingRequestRow | None:
    if body.starts_at <= utc_now():
        raise ValidationFailed(
            "Invalid request: body.startsAt: a session can only be booked ahead of its start.",
            details=[FieldError(field="body.startsAt", message="must be in the future", type="value_error")],
        )
    gym, price = await _member_gym_and_price(runtime, body)
    if len(body.guests) > gym.max_guests:
        raise Conflict(f"{gym.name} takes at most {gym.max_guests} guests per session; {len(body.guests)} were named.")
    status = SessionStatus.PENDING_APPROVAL if gym.requires_approval else SessionStatus.CONFIRMED
    try:
        async with runtime.db.write() as session:
            request = await storage.reserve(
                session,
                key=key,
                fingerprint=asked,
                user_id=body.user_id,
                gym_id=body.gym_id,
                starts_at=body.starts_at,
                ends_at=body.starts_at + timedelta(minutes=body.duration_minutes),
                price_credits=price.price_credits,
                status=status,
                guests=[(guest.email, guest.name) for guest in body.guests],
                noise_warning=gym.noise_sensitive,
            )
            if request is not None:
                lapses_at = request.created_at + runtime.config.booking_hold
                await follow_ups.release_if_unpaid(session, key, request.session_id, at=lapses_at)
            return request
    except storage.SlotTaken:
        raise Conflict(
            f"{gym.name} is already booked for part of {body.starts_at:%Y-%m-%d %H:%M} UTC + "
            f"{body.duration_minutes} minutes; choose another slot or join the waiting list."
        ) from None


async def _pay_and_confirm(runtime: SessionRuntime, request: BookingRequestRow) -> Reply:
    if request.price_credits > 0:
        await _debit(runtime, request)
    lapsed = False
    async with runtime.db.write() as session:
        row = await storage.complete_booking(session, request.idempotency_key, request.session_id)
        if row is not None:
            answer = Session.model_validate(row, from_attributes=True)
            await storage.keep_booking_answer(session, request.idempotency_key, answer.model_dump(mode="json"))
            await follow_ups.hold_settled(session, row.id)
            await follow_ups.after_booking(session, row, noise_warning=request.noise_warning)
        else:
            current = await storage.find_booking_request(session, request.idempotency_key)
            if current is not None and current.status == storage.BOOKED:
                return _replay(current)  # a concurrent retry of this booking confirmed it first
            lapsed = True
            if request.price_credits > 0:
                await follow_ups.refund_credits(
                    session,
                    request.user_id,
                    request.session_id,
                    request.price_credits,
                    purpose="lapsed-hold-refund",
                    only_if_debited=True,
                )
    runtime.relay.wake()
    if lapsed:
        raise Conflict(
            "The slot's hold lapsed before the payment completed, so it was released; the credits are given back. "
            "Book again with a new Idempotency-Key."
        )
    return Reply(201, answer)


async def _debit(runtime: SessionRuntime, request: BookingRequestRow) -> None:
    payments = runtime.upstreams.payments
    body = DebitCredits(user_id=request.user_id, session_id=request.session_id, amount=request.price_credits)
    try:
        await payments.debit_credits(body, idempotency_key=debit_key(request.session_id))
    except clients.UpstreamInsufficientCredits:
        await holds.release(runtime.db, request.idempotency_key, request.session_id, paid_perhaps=False)
        raise InsufficientCredits(await _shortfall(payments, request)) from None
    except (clients.UpstreamError, clients.ConnectFailed, clients.CircuitOpen, clients.InvalidRequest) as error:
        # Payment answered no, or was never reached: nothing was debited.
        await holds.release(runtime.db, request.idempotency_key, request.session_id, paid_perhaps=False)
        raise upstream_failure(error) from None
    except clients.ServiceCallError as error:
        hold = runtime.config.booking_hold_seconds
        raise DependencyUnavailable(
            f"The payment service did not confirm the debit ({error}). The slot stays held for {hold:g} s: retry "
            "with the same Idempotency-Key to finish the booking; otherwise it is released and anything taken "
            "is given back."
        ) from None


async def _shortfall(payments: clients.PaymentClient, request: BookingRequestRow) -> str:
    price = request.price_credits
    try:
        balance = (await payments.get_balance(request.user_id)).balance
    except clients.ServiceCallError:
        return f"Booking this slot costs {price} credits, more than user {request.user_id!r} has; nothing was booked."
    return (
        f"Booking this slot costs {price} credits; user {request.user_id!r} has {balance}, "
        f"{max(price - balance, 1)} short. Nothing was booked."
    )


def _replay(request: BookingRequestRow) -> Reply:
    return Reply(201, request.response, headers={REPLAYED_HEADER: "true"})
