"""The payment service's internal API: members' credit balances, their ledger, card charges, and the
payment gateway's events, which it passes on to the services they concern."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from solo60.contracts.errors import ErrorCode
from solo60.contracts.models import Id, RequestModel, ResponseModel, Timestamp
from solo60.contracts.route import Contract, Link, Route

Credits = Annotated[int, Field(ge=1, le=100_000, description="A number of credits, 1..100000.")]
AmountInCents = Annotated[
    int, Field(ge=1, le=10_000_000, description="Amount in the currency's minor unit (cents), 1..10000000.")
]
Currency = Annotated[
    str, StringConstraints(pattern=r"^[A-Z]{3}$"), Field(description="ISO 4217 currency code, e.g. `EUR`.")
]
CardToken = Annotated[
    str,
    StringConstraints(min_length=1, max_length=255, pattern=r"^[A-Za-z][A-Za-z0-9_]*$"),
    Field(description="The gateway's token for the card, e.g. `tok_visa`; a card number is refused."),
]


class TransactionType(StrEnum):
    DEBIT = "DEBIT"
    REFUND = "REFUND"
    ALLOCATION = "ALLOCATION"


class ChargeStatus(StrEnum):
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class GatewayEventType(StrEnum):
    RENEWAL_FAILED = "RENEWAL_FAILED"
    """The gateway could not collect a subscription's renewal: forwarded to the subscription service."""


class ForwardingStatus(StrEnum):
    PENDING = "PENDING"
    FORWARDED = "FORWARDED"
    FAILED = "FAILED"


class CreditBalance(ResponseModel):
    """The user's credit balance; a user without any ledger entry has 0."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"userId": "123", "balance": 12, "updatedAt": "2025-01-02T03:04:05Z"}]}
    )

    user_id: Id
    balance: int
    updated_at: Timestamp | None = None


class CreditTransaction(ResponseModel):
    """One ledger entry, with the balance it left."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "9f1c2b7e-0d4a-4c55-8f63-2a7e1b0c9d11",
                    "userId": "123",
                    "type": "DEBIT",
                    "amount": 3,
                    "balanceAfter": 9,
                    "sessionId": "s-42",
                    "subscriptionId": None,
                    "periodStart": None,
                    "createdAt": "2025-01-02T03:04:05Z",
                }
            ]
        }
    )

    id: Id
    user_id: Id
    type: TransactionType
    amount: int = Field(description="Always positive; `type` says which way the credits moved.")
    balance_after: int
    session_id: Id | None = None
    subscription_id: Id | None = None
    period_start: Timestamp | None = None
    created_at: Timestamp


class DebitCredits(RequestModel):
    """Credits taken for booking a session."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"userId": "123", "sessionId": "s-42", "amount": 3}]})

    user_id: Id
    session_id: Id
    amount: Credits


class RefundCredits(RequestModel):
    """Credits given back for a cancelled session; never more than was debited for it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"userId": "123", "sessionId": "s-42", "amount": 3}]})

    user_id: Id
    session_id: Id
    amount: Credits


class AllocateCredits(RequestModel):
    """A subscription's credits for one billing period."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"userId": "123", "subscriptionId": "sub-1", "periodStart": "2025-01-01T00:00:00Z", "amount": 8}
            ]
        }
    )

    user_id: Id
    subscription_id: Id
    period_start: Timestamp
    amount: Credits


class ChargeCard(RequestModel):
    """A card payment through the payment gateway."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "userId": "123",
                    "amountCents": 4900,
                    "currency": "EUR",
                    "cardToken": "tok_visa",
                    "description": "Monthly plan, January",
                    "subscriptionId": "sub-1",
                }
            ]
        }
    )

    user_id: Id
    amount_cents: AmountInCents
    currency: Currency = "EUR"
    card_token: CardToken
    description: str | None = Field(default=None, max_length=200)
    subscription_id: Id | None = None


class Charge(ResponseModel):
    """A card charge as recorded: a declined card is a charge with status FAILED and the gateway's reason."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "3b7d9a40-5c2e-4f18-a0b6-6e2d8c1f4a55",
                    "userId": "123",
                    "amountCents": 4900,
                    "currency": "EUR",
                    "status": "FAILED",
                    "failureCode": "card_declined",
                    "failureReason": "The card was declined.",
                    "gatewayChargeId": "sim_ch_5f0c1d2e3a4b",
                    "description": "Monthly plan, January",
                    "subscriptionId": "sub-1",
                    "createdAt": "2025-01-02T03:04:05Z",
                }
            ]
        }
    )

    id: Id
    user_id: Id
    amount_cents: int
    currency: str
    status: ChargeStatus
    failure_code: str | None = None
    failure_reason: str | None = None
    gateway_charge_id: str | None = None
    description: str | None = None
    subscription_id: Id | None = None
    created_at: Timestamp


class GatewayEvent(RequestModel):
    """An event the payment gateway reports; a redelivery carries the same `eventId`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "eventId": "evt_1Q2w3E4r",
                    "type": "RENEWAL_FAILED",
                    "subscriptionId": "sub-1",
                    "occurredAt": "2025-02-01T00:05:00Z",
                    "failureCode": "card_declined",
                    "failureReason": "The card was declined.",
                    "attempt": 1,
                    "nextAttemptAt": "2025-02-04T00:05:00Z",
                }
            ]
        }
    )

    event_id: Id = Field(description="The gateway's event id: a redelivered event carries the same one.")
    type: GatewayEventType
    subscription_id: Id
    occurred_at: Timestamp
    failure_code: str | None = Field(default=None, max_length=64)
    failure_reason: str | None = Field(default=None, max_length=500)
    attempt: int | None = Field(default=None, ge=1, le=100, description="Which collection attempt failed.")
    next_attempt_at: Timestamp | None = Field(default=None, description="When the gateway will try again, if it will.")


class GatewayEventReceipt(ResponseModel):
    """The event as received, and how its forwarding to the service it concerns is going."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "eventId": "evt_1Q2w3E4r",
                    "type": "RENEWAL_FAILED",
                    "subscriptionId": "sub-1",
                    "receivedAt": "2025-02-01T00:05:02Z",
                    "forwarding": "FORWARDED",
                    "forwardAttempts": 1,
                    "lastError": None,
                    "forwardedAt": "2025-02-01T00:05:02Z",
                }
            ]
        }
    )

    event_id: Id
    type: GatewayEventType
    subscription_id: Id
    received_at: Timestamp
    forwarding: ForwardingStatus = Field(
        description="PENDING while it is (re)tried, FORWARDED once taken, FAILED when refused for good or given up."
    )
    forward_attempts: int
    last_error: str | None = Field(default=None, description="Why the latest attempt failed, if one did.")
    forwarded_at: Timestamp | None = None


_BALANCE_OF_USER = {"userId": "$response.body#/userId"}


class PaymentServiceContract(Contract):
    service = "payment"
    title = "Solo60 payment service"
    description = (
        "Credit balances and their ledger (debits, refunds, monthly allocations), card charges, and the payment "
        "gateway's events."
    )

    get_balance = Route(
        "GET",
        "/internal/payments/credits/{userId}",
        summary="Get a user's credit balance",
        description="A user the payment service has never seen has a balance of 0, not a 404.",
        responses={200: CreditBalance},
    )
    debit_credits = Route(
        "POST",
        "/internal/payments/credits/debit",
        summary="Take credits for a booking",
        description=(
            "Refused with 402 when the balance is short; the balance is then unchanged and the key is not used up, "
            "so the same key may be retried after a top-up. Balances never go negative, even under concurrent debits."
        ),
        body=DebitCredits,
        responses={201: CreditTransaction},
        errors=[ErrorCode.INSUFFICIENT_CREDITS],
        idempotency_key=True,
        links=[Link("GetBalanceAfterDebit", "get_balance", _BALANCE_OF_USER, status=201)],
        callers=["session", "subscription"],
    )
    refund_credits = Route(
        "POST",
        "/internal/payments/credits/refund",
        summary="Give credits back for a cancelled session",
        description=(
            "Refunds for a session never exceed what was debited for it: a refund of a session that was not paid "
            "for, or beyond what is left to refund, is refused with 409."
        ),
        body=RefundCredits,
        responses={201: CreditTransaction},
        errors=[ErrorCode.CONFLICT],
        idempotency_key=True,
        links=[Link("GetBalanceAfterRefund", "get_balance", _BALANCE_OF_USER, status=201)],
    )
    allocate_credits = Route(
        "POST",
        "/internal/payments/credits/allocate",
        summary="Add a subscription's monthly credits",
        description=(
            "One allocation per subscription and period: a second allocation for the same `periodStart` under "
            "another Idempotency-Key is refused with 409."
        ),
        body=AllocateCredits,
        responses={201: CreditTransaction},
        errors=[ErrorCode.CONFLICT],
        idempotency_key=True,
        links=[Link("GetBalanceAfterAllocation", "get_balance", _BALANCE_OF_USER, status=201)],
    )
    charge_card = Route(
        "POST",
        "/internal/payments/charges",
        summary="Charge a card through the payment gateway",
        description=(
            "A declined card is a successful call: the charge is recorded with status FAILED and the gateway's "
            "reason. A gateway that cannot be reached answers 503 and records nothing, so the same key may be "
            "retried; the key is passed on to the gateway so a retry never charges twice."
        ),
        body=ChargeCard,
        responses={201: Charge},
        idempotency_key=True,
        calls_upstream=True,
    )
    receive_gateway_event = Route(
        "POST",
        "/internal/payments/gateway-events",
        summary="Receive an event from the payment gateway",
        description=(
            "The event is kept and answered 202 at once; a RENEWAL_FAILED event is then forwarded to the "
            "subscription service's payment-failed webhook through an outbox, retried while that service is "
            "unavailable, so no event is lost. A redelivery with the same `eventId` changes nothing and gets the "
            "event's receipt; the same `eventId` with other content is refused with 409. Answers 503 when the "
            "service the event concerns is not configured, so the gateway delivers it again later."
        ),
        body=GatewayEvent,
        responses={202: GatewayEventReceipt},
        errors=[ErrorCode.CONFLICT],
        idempotent=True,
        calls_upstream=True,
        links=[
            Link("GetReceivedGatewayEvent", "get_gateway_event", {"eventId": "$response.body#/eventId"}, status=202)
        ],
    )
    get_gateway_event = Route(
        "GET",
        "/internal/payments/gateway-events/{eventId}",
        summary="Read a gateway event and how its forwarding went",
        responses={200: GatewayEventReceipt},
        errors=[ErrorCode.NOT_FOUND],
    )
