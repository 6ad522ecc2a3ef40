"""Provider states of the payment service, as its consumers (session, subscription) name them.

States that stand for a past payment or allocation make it through the route's own code with
the given Idempotency-Key, so a consumer replaying that request gets exactly what a real first
call stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from solo60.contracts.models import Id
from solo60.contracts.payment import AllocateCredits, Credits, DebitCredits
from solo60.services.kit import ProviderStates, StateParams
from solo60.services.payment import storage
from solo60.services.payment.routes import PaymentRoutes

states = ProviderStates("payment")

IdempotencyKey = Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]{1,255}$")]
Balance = Annotated[int, Field(ge=0, le=1_000_000_000)]


class UserHasCredits(StateParams):
    user_id: Id = Field(default="123", alias="userId")
    balance: Balance = 10


class UserHasNoCredits(StateParams):
    user_id: Id = Field(default="123", alias="userId")


class SessionWasPaidFor(StateParams):
    user_id: Id = Field(default="123", alias="userId")
    session_id: Id = Field(default="s-42", alias="sessionId")
    amount: Credits = Field(default=3, description="credits debited for the session")
    balance: Balance = Field(default=7, description="credits left after the payment")
    idempotency_key: IdempotencyKey = Field(
        default="debit-s-42", alias="idempotencyKey", description="key the debit was made with"
    )


class CreditsWereAllocated(StateParams):
    user_id: Id = Field(default="123", alias="userId")
    subscription_id: Id = Field(default="sub-1", alias="subscriptionId")
    # A string, not a datetime: the state listing is plain JSON and its defaults must serialise.
    period_start: str = Field(default="2025-01-01T00:00:00Z", alias="periodStart", description="RFC 3339")
    amount: Credits = Field(default=8, description="credits allocated for the period")
    balance: Balance = Field(default=0, description="credits held before the allocation")
    idempotency_key: IdempotencyKey = Field(
        default="allocate-sub-1-2025-01", alias="idempotencyKey", description="key the allocation was made with"
    )


@states.state(
    "a user has credits",
    params=UserHasCredits,
    operations=("GET /internal/payments/credits/{userId}", "POST /internal/payments/credits/debit"),
)
async def a_user_has_credits(runtime: Any, params: UserHasCredits) -> dict[str, Any]:
    """The user's balance is `balance` credits (10 by default), with no earlier payments."""
    async with runtime.db.write() as session:
        await storage.set_balance(session, params.user_id, params.balance)
    return {"userId": params.user_id, "balance": params.balance}


@states.state("a user has no credits", params=UserHasNoCredits)
async def a_user_has_no_credits(runtime: Any, params: UserHasNoCredits) -> dict[str, Any]:
    """The user has a balance of 0 and no ledger: any debit is refused with 402."""
    async with runtime.db.write() as session:
        await storage.forget_user(session, params.user_id)
    return {"userId": params.user_id, "balance": 0}


@states.state(
    "a session was paid for", params=SessionWasPaidFor, operations=("POST /internal/payments/credits/refund",)
)
async def a_session_was_paid_for(runtime: Any, params: SessionWasPaidFor) -> dict[str, Any]:
    """`amount` credits were debited for the session under `idempotencyKey`, leaving `balance` credits.

    A refund of up to `amount` is accepted; replaying the debit returns its stored result.
    """
    async with runtime.db.write() as session:
        await storage.set_balance(session, params.user_id, params.balance + params.amount)
        await storage.forget_idempotency_key(session, "debit", params.idempotency_key)
    body = DebitCredits(user_id=params.user_id, session_id=params.session_id, amount=params.amount)
    reply = await PaymentRoutes(runtime).debit_credits(body=body, idempotency_key=params.idempotency_key)
    return {
        "userId": params.user_id,
        "sessionId": params.session_id,
        "amount": params.amount,
        "balance": params.balance,
        "idempotencyKey": params.idempotency_key,
        "transactionId": dict(reply.body or {})["id"],
    }


@states.state("credits were allocated for a period", params=CreditsWereAllocated)
async def credits_were_allocated_for_a_period(runtime: Any, params: CreditsWereAllocated) -> dict[str, Any]:
    """The subscription's `amount` credits for `periodStart` were allocated under `idempotencyKey`.

    Replaying that request returns the stored result; another key for the same period is refused with 409.
    """
    period_start = datetime.fromisoformat(params.period_start)
    async with runtime.db.write() as session:
        await storage.set_balance(session, params.user_id, params.balance)
        await storage.forget_allocation(session, params.subscription_id, period_start)
        await storage.forget_idempotency_key(session, "allocate", params.idempotency_key)
    body = AllocateCredits(
        user_id=params.user_id,
        subscription_id=params.subscription_id,
        period_start=period_start,
        amount=params.amount,
    )
    reply = await PaymentRoutes(runtime).allocate_credits(body=body, idempotency_key=params.idempotency_key)
    return {
        "userId": params.user_id,
        "subscriptionId": params.subscription_id,
        "periodStart": body.model_dump(mode="json", by_alias=True)["periodStart"],
        "amount": params.amount,
        "balance": params.balance + params.amount,
        "idempotencyKey": params.idempotency_key,
        "transactionId": dict(reply.body or {})["id"],
    }
