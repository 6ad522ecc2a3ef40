"""The payment service's client, written by `solo60 codegen` from `solo60/contracts/payment.py`."""

from __future__ import annotations

from solo60.clients._base import ServiceClient
from solo60.contracts.payment import (
    AllocateCredits,
    Charge,
    ChargeCard,
    CreditBalance,
    CreditTransaction,
    DebitCredits,
    GatewayEvent,
    GatewayEventReceipt,
    PaymentServiceContract,
    RefundCredits,
)


class PaymentClient(ServiceClient):
    """Calls the Solo60 payment service. Credit balances and their ledger (debits, refunds, monthly allocations),
    card charges, and the payment gateway's events.
    """

    service = "payment"

    async def get_balance(self, user_id: str) -> CreditBalance:
        """Get a user's credit balance.

        A user the payment service has never seen has a balance of 0, not a 404.
        """
        return await self._call(PaymentServiceContract.get_balance, path={"user_id": user_id})

    async def debit_credits(self, body: DebitCredits, *, idempotency_key: str | None = None) -> CreditTransaction:
        """Take credits for a booking.

        Refused with 402 when the balance is short; the balance is then unchanged and the key is not used up, so the
        same key may be retried after a top-up. Balances never go negative, even under concurrent debits.
        """
        return await self._call(PaymentServiceContract.debit_credits, body=body, idempotency_key=idempotency_key)

    async def refund_credits(self, body: RefundCredits, *, idempotency_key: str | None = None) -> CreditTransaction:
        """Give credits back for a cancelled session.

        Refunds for a session never exceed what was debited for it: a refund of a session that was not paid for, or
        beyond what is left to refund, is refused with 409.
        """
        return await self._call(PaymentServiceContract.refund_credits, body=body, idempotency_key=idempotency_key)

    async def allocate_credits(self, body: AllocateCredits, *, idempotency_key: str | None = None) -> CreditTransaction:
        """Add a subscription's monthly credits.

        One allocation per subscription and period: a second allocation for the same `periodStart` under another
        Idempotency-Key is refused with 409.
        """
        return await self._call(PaymentServiceContract.allocate_credits, body=body, idempotency_key=idempotency_key)

    async def charge_card(self, body: ChargeCard, *, idempotency_key: str | None = None) -> Charge:
        """Charge a card through the payment gateway.

        A declined card is a successful call: the charge is recorded with status FAILED and the gateway's reason. A
        gateway that cannot be reached answers 503 and records nothing, so the same key may be retried; the key is
        passed on to the gateway so a retry never charges twice.
        """
        return await self._call(PaymentServiceContract.charge_card, body=body, idempotency_key=idempotency_key)

    async def receive_gateway_event(self, body: GatewayEvent) -> GatewayEventReceipt:
        """Receive an event from the payment gateway.

        The event is kept and answered 202 at once; a RENEWAL_FAILED event is then forwarded to the subscription
        service's payment-failed webhook through an outbox, retried while that service is unavailable, so no event is
        lost. A redelivery with the same `eventId` changes nothing and gets the event's receipt; the same `eventId`
        with other content is refused with 409. Answers 503 when the service the event concerns is not configured, so
        the gateway delivers it again later.
        """
        return await self._call(PaymentServiceContract.receive_gateway_event, body=body)

    async def get_gateway_event(self, event_id: str) -> GatewayEventReceipt:
        """Read a gateway event and how its forwarding went."""
        return await self._call(PaymentServiceContract.get_gateway_event, path={"event_id": event_id})
