"""How the outbox relay carries out each follow-up: one handler per operation of `follow_ups.py`.

A session event is built when it leaves (the gym and the names it carries are looked up then,
as the mails used to be) and published on the bus; refunds go to the payment service.

A handler raises to be retried later (a service is down) and `PermanentFailure` when retrying
cannot help (the gym or the user is gone, a refund is refused): the message is then FAILED with the
reason kept in the outbox.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any, TypeVar

from solo60 import clients
from solo60.contracts.events import Envelope
from solo60.contracts.events.session import GymFacts
from solo60.contracts.gym import Gym
from solo60.contracts.payment import RefundCredits
from solo60.contracts.user import User
from solo60.services.kit import Database, PermanentFailure
from solo60.services.kit.events import EventBus, EventTarget
from solo60.services.kit.outbox import Deliver, DeliveryTarget, OutboxMessage, Send, is_permanent
from solo60.services.session import follow_ups, holds, session_events
from solo60.services.session.upstreams import Upstreams

logger = logging.getLogger("solo60.services.session")

T = TypeVar("T")


def handlers(
    db: Database, upstreams: Upstreams, bus: EventBus, wake: Callable[[], None]
) -> dict[str, Deliver | DeliveryTarget]:
    """The relay's handlers; `wake` asks the relay for another pass (a released hold may free a refund)."""

    async def refund(payload: dict[str, Any], key: str) -> None:
        await refund_credits(upstreams, payload, key)

    async def release(payload: dict[str, Any], key: str) -> None:
        if await holds.release(db, payload["idempotencyKey"], payload["sessionId"], paid_perhaps=True):
            wake()

    return {
        session_events.SESSION_EVENT: SessionEventTarget(upstreams, bus),
        follow_ups.REFUND_CREDITS: refund,
        follow_ups.RELEASE_RESERVATION: release,
    }


class SessionEventTarget:
    """Looks up what a session event carries besides its recorded facts, builds it and publishes it."""

    in_flight = 10
    """Events built (gym and user looked up) and published together: fewer commits, a bounded load upstream."""

    def __init__(self, upstreams: Upstreams, bus: EventBus) -> None:
        self.upstreams = upstreams
        self.bus = bus

    @asynccontextmanager
    async def sender(self) -> AsyncIterator[Send]:
        publish = EventTarget(self.bus)
        async with publish.sender() as send_event:

            async def send(message: OutboxMessage) -> None:
                envelope = await self.built(message)
                await send_event(replace(message, payload=envelope.model_dump(mode="json")))

            yield send

    async def built(self, message: OutboxMessage) -> Envelope:
        facts = message.payload
        self.upstreams.require("gym", "user")
        gym = await _answer(self.upstreams.gyms.get_gym(facts["gymId"]))
        names = _Names(self.upstreams)
        known = {user_id: (await names.of(user_id)).name for user_id in session_events.people_to_name(facts)}
        contract, payload = session_events.build(facts, gym_facts(gym), known)
        return session_events.envelope_for(message.id, facts, contract, payload, message.correlation_id)


def gym_facts(gym: Gym) -> GymFacts:
    return GymFacts(gym_id=gym.id, name=gym.name, timezone=gym.timezone, admin_email=gym.admin_email)


async def refund_credits(upstreams: Upstreams, payload: dict[str, Any], key: str) -> None:
    body = RefundCredits(user_id=payload["userId"], session_id=payload["sessionId"], amount=payload["amount"])
    try:
        await _answer(upstreams.payments.refund_credits(body, idempotency_key=key))
    except PermanentFailure as refusal:
        if payload.get("onlyIfDebited") and isinstance(refusal.__cause__, clients.UpstreamConflict):
            logger.info("nothing to give back for session %s: %s", body.session_id, refusal.__cause__.message)
            return
        raise


class _Names:
    """Users looked up once per mail."""

    def __init__(self, upstreams: Upstreams) -> None:
        self.upstreams = upstreams
        self.known: dict[str, User] = {}

    async def of(self, user_id: str) -> User:
        if user_id not in self.known:
            self.known[user_id] = await _answer(self.upstreams.users.get_user(user_id))
        return self.known[user_id]


async def _answer(call: Awaitable[T]) -> T:
    """The call's result; a refusal retrying cannot change becomes `PermanentFailure`."""
    try:
        return await call
    except Exception as error:
        if is_permanent(error):
            raise PermanentFailure(f"{type(error).__name__}: {error}") from error
        raise
