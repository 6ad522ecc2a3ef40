"""The transactional outbox: a queued mail is a row committed with the request; dispatchers deliver it.

Life of a message: `send-async` inserts it as QUEUED in the same transaction as its
idempotency record, so the caller's 202 and the message exist together or not at all. A
dispatcher claims it with a conditional UPDATE that sets a lease and counts the attempt,
commits, sends it, and records the outcome in a second short transaction: SENT; QUEUED
again with the next attempt time (exponential backoff with jitter) after a temporary
failure; FAILED, with the error kept, after a final failure or the last attempt.

Delivery guarantee: at least once, and exactly once unless a dispatcher dies in one
window. SMTP has no idempotent submission: once the mail server has answered 250 to DATA,
the message is its responsibility, and the only record of that answer is the UPDATE that
follows. If the process dies after the server accepted the message and before that UPDATE
commits, the lease expires and another attempt sends the message again (RFC 1047 describes
the same gap on the server side). Everything else cannot duplicate: a message is claimed by
one dispatcher at a time (the claim's WHERE clause and its row count settle races, on
SQLite and PostgreSQL alike), a lease outlives the delivery deadline so it is never taken
over mid-send, an outcome is only recorded by the lease holder, and each message is
recorded as SENT in its own commit right after the server's reply (never per batch), so a
crash re-sends at most the one message in flight. The window is kept to the reply's
arrival plus one primary-key UPDATE: the connection to the server stays open across a pass
(no QUIT in between), and the user lookup and rendering happen before sending. The
Message-ID is derived from the message id, so a redelivery carries the same Message-ID and
any receiver can recognise and drop it. Nothing is lost: a claimed message whose dispatcher
dies is due again when its lease expires, and only a final failure ends in FAILED.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from solo60.services.communication import storage
from solo60.services.kit import Database, utc_now


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts and waits between them: base doubled per failed attempt, capped, with "equal jitter"."""

    max_attempts: int
    base_seconds: float
    max_seconds: float

    def delay_after(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        """The wait after the `attempts`-th failed attempt: between half and all of base * 2^(attempts-1).

        The jitter spreads the retries of a burst (a mail server back after an outage) instead
        of sending them all at the same instant.
        """
        ceiling = min(self.max_seconds, self.base_seconds * 2 ** max(attempts - 1, 0))
        return timedelta(seconds=(rng or random).uniform(ceiling / 2, ceiling))


@dataclass(frozen=True)
class ClaimedMessage:
    """One attempt at one message, held under this dispatcher's lease."""

    message_id: str
    template_key: str
    recipient_user_id: str | None
    recipient_email: str | None
    subject: str
    body: str
    attempts: int
    max_attempts: int
    correlation_id: str | None = None

    @property
    def last_attempt(self) -> bool:
        return self.attempts >= self.max_attempts


class Outbox:
    """The outbox as one dispatcher sees it: what is due, claiming, and recording outcomes."""

    def __init__(self, db: Database, *, owner: str, lease: timedelta, policy: RetryPolicy) -> None:
        self.db = db
        self.owner = owner
        self.lease = lease
        self.policy = policy

    async def due(self, limit: int) -> list[str]:
        async with self.db.read() as session:
            return await storage.due_message_ids(session, now=utc_now(), limit=limit)

    async def claim(self, message_id: str) -> ClaimedMessage | None:
        now = utc_now()
        async with self.db.write() as session:
            row = await storage.claim_message(
                session, message_id, owner=self.owner, now=now, lease_until=now + self.lease
            )
            if row is None:
                return None
            return ClaimedMessage(
                message_id=row.id,
                template_key=row.template_key,
                recipient_user_id=row.recipient_user_id,
                recipient_email=row.recipient_email,
                subject=row.subject,
                body=row.body,
                attempts=row.attempts,
                max_attempts=row.max_attempts,
                correlation_id=row.correlation_id,
            )

    async def sent(self, claim: ClaimedMessage) -> bool:
        """Record the delivery; its own commit, at once, so a crash after it re-sends nothing."""
        async with self.db.write() as session:
            return await storage.finish_attempt(
                session, claim.message_id, owner=self.owner, status=storage.SENT, now=utc_now()
            )

    async def retry_later(self, claim: ClaimedMessage, error: str, rng: random.Random | None = None) -> str:
        """A temporary failure: due again after the backoff, or FAILED if that was the last attempt."""
        if claim.last_attempt:
            await self.give_up(claim, f"gave up after {claim.attempts} attempts: {error}")
            return storage.FAILED
        now = utc_now()
        async with self.db.write() as session:
            await storage.finish_attempt(
                session,
                claim.message_id,
                owner=self.owner,
                status=storage.QUEUED,
                now=now,
                error=error,
                next_attempt_at=now + self.policy.delay_after(claim.attempts, rng),
            )
        return storage.QUEUED

    async def give_up(self, claim: ClaimedMessage, error: str) -> None:
        async with self.db.write() as session:
            await storage.finish_attempt(
                session, claim.message_id, owner=self.owner, status=storage.FAILED, now=utc_now(), error=error
            )

    async def fail_exhausted(self) -> int:
        """FAILED for messages whose last attempt died with its dispatcher (a message that crashes it)."""
        async with self.db.write() as session:
            return await storage.fail_exhausted_messages(session, now=utc_now())
