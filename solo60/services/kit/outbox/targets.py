"""Where outbox messages go: a delivery target per operation, and how a delivery says it failed.

A target is anything that can take a message: a typed client call to another service (most
operations: a plain `Deliver` function), a mail server (communication's SMTP target) or, later,
a message broker. A target that wants a connection per pass (an SMTP session, an AMQP channel
with publisher confirms) implements `DeliveryTarget.sender()`; the relay opens it when the
pass first needs it and closes it when the pass ends. A target whose `send` may run several
times at once on that connection says how many with an `in_flight` attribute (the relay then
sends that many together and records them in one commit); without it, one at a time.

A delivery raises to be retried after a backoff, `PermanentFailure` when retrying cannot
help (the message ends FAILED with the reason), and `TargetUnavailable` when the target
itself is down: that message is retried, and the target's other messages wait for the next
pass instead of spending an attempt each on the same outage.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, runtime_checkable

from solo60.services.kit.outbox.table import idempotency_key_for

T = TypeVar("T")


class PermanentFailure(Exception):
    """The target refused the call for good (e.g. a 404): retrying cannot help."""


class TargetUnavailable(Exception):
    """The target is down (no connection, a server error): retry later, and spare its other messages this pass."""


@dataclass(frozen=True)
class OutboxMessage:
    """One attempt at one message, held under the relay's lease."""

    id: str
    operation: str
    payload: dict[str, Any]
    attempts: int
    """Attempts so far, this one included."""
    max_attempts: int
    correlation_id: str | None = None

    @property
    def idempotency_key(self) -> str:
        return idempotency_key_for(self.id)

    @property
    def last_attempt(self) -> bool:
        return self.attempts >= self.max_attempts


Deliver = Callable[[dict[str, Any], str], Awaitable[None]]
"""Delivers one message: `(payload, idempotency_key)`; raises to retry, `PermanentFailure` to give up."""

Send = Callable[[OutboxMessage], Awaitable[None]]
"""Delivers one message on a target's open connection."""


@runtime_checkable
class DeliveryTarget(Protocol):
    """A target with a connection per pass: `async with target.sender() as send: await send(message)`.

    Optionally `in_flight: int`: how many `send`s may be under way together (1 if absent).
    """

    def sender(self) -> AbstractAsyncContextManager[Send]: ...


class FunctionTarget:
    """A plain `Deliver` function as a target: no connection to open."""

    def __init__(self, deliver: Deliver) -> None:
        self.deliver = deliver

    @asynccontextmanager
    async def sender(self) -> AsyncIterator[Send]:
        async def send(message: OutboxMessage) -> None:
            await self.deliver(dict(message.payload), message.idempotency_key)

        yield send


def as_target(handler: Deliver | DeliveryTarget) -> DeliveryTarget:
    return handler if isinstance(handler, DeliveryTarget) else FunctionTarget(handler)


def is_permanent(error: BaseException) -> bool:
    """A refusal retrying cannot change: a 4xx other than 401, 408 and 429.

    401 is retried: during a key rotation the target may briefly not know the caller's new key,
    and giving a mail up for good over that would lose it.
    """
    status = getattr(error, "status", None)
    return isinstance(status, int) and 400 <= status < 500 and status not in {401, 408, 429}


async def call_or_refuse(call: Awaitable[T]) -> T:
    """Run a client call and return its answer, a permanent refusal raised as `PermanentFailure`."""
    try:
        return await call
    except Exception as error:
        if is_permanent(error):
            raise PermanentFailure(f"{type(error).__name__}: {error}") from error
        raise
