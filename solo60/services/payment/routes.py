"""The payment service's implementation of its contract."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from solo60.contracts.payment import (
    AllocateCredits,
    Charge,
    ChargeCard,
    ChargeStatus,
    CreditBalance,
    CreditTransaction,
    DebitCredits,
    GatewayEvent,
    GatewayEventReceipt,
    PaymentServiceContract,
    RefundCredits,
)
from solo60.services.kit import (
    Conflict,
    DependencyUnavailable,
    InsufficientCredits,
    Reply,
    ServiceRoutes,
    implements,
    once_per_key,
)
from solo60.services.payment import gateway_events, ledger, storage
from solo60.services.payment.gateway import CardCharge, GatewayUnavailable

api = PaymentServiceContract


class PaymentRoutes(ServiceRoutes):
    contract = PaymentServiceContract

    async def _once(self, operation: str, key: str, body: Any, work: Callable[[AsyncSession], Awaitable[Any]]) -> Reply:
        """Every money move runs once per Idempotency-Key and answers 201, replays included."""
        return await once_per_key(
            self.runtime.db,
            storage.idempotency_records,
            operation=operation,
            key=key,
            request=body,
            status=201,
            work=work,
        )

    @implements(api.get_balance)
    async def get_balance(self, user_id: str) -> CreditBalance:
        async with self.runtime.db.read() as session:
            account = await storage.find_account(session, user_id)
        if account is None:
            return CreditBalance(user_id=user_id, balance=0)
        return CreditBalance(user_id=user_id, balance=account.balance, updated_at=account.updated_at)

    @implements(api.debit_credits)
    async def debit_credits(self, body: DebitCredits, idempotency_key: str) -> Reply:
        try:
            return await self._once(
                "debit", idempotency_key, body, lambda session: _transaction(ledger.debit(session, body))
            )
        except ledger.InsufficientBalance as error:
            raise InsufficientCredits(str(error)) from None

    @implements(api.refund_credits)
    async def refund_credits(self, body: RefundCredits, idempotency_key: str) -> Reply:
        try:
            return await self._once(
                "refund", idempotency_key, body, lambda session: _transaction(ledger.refund(session, body))
            )
        except ledger.RefundRefused as error:
            raise Conflict(str(error)) from None

    @implements(api.allocate_credits)
    async def allocate_credits(self, body: AllocateCredits, idempotency_key: str) -> Reply:
        try:
            return await self._once(
                "allocate", idempotency_key, body, lambda session: _transaction(ledger.allocate(session, body))
            )
        except ledger.PeriodAlreadyAllocated as error:
            raise Conflict(str(error)) from None

    @implements(api.charge_card)
    async def charge_card(self, body: ChargeCard, idempotency_key: str) -> Reply:
        # The gateway is called while the key's claim is held, so two requests with one key never
        # both reach it; the key goes to the gateway too, so a crash before commit cannot charge twice.
        async def work(session: AsyncSession) -> Charge:
            try:
                outcome = await self.runtime.gateway.charge(
                    CardCharge(
                        amount_cents=body.amount_cents,
                        currency=body.currency,
                        card_token=body.card_token,
                        idempotency_key=idempotency_key,
                        description=body.description,
                    )
                )
            except GatewayUnavailable as error:
                raise DependencyUnavailable(
                    f"The payment gateway is unavailable ({error}); nothing was charged, retry with the same "
                    "Idempotency-Key."
                ) from None
            row = await storage.add_charge(
                session,
                user_id=body.user_id,
                amount_cents=body.amount_cents,
                currency=body.currency,
                status=(ChargeStatus.SUCCEEDED if outcome.succeeded else ChargeStatus.FAILED).value,
                failure_code=outcome.failure_code,
                failure_reason=outcome.failure_reason,
                gateway_charge_id=outcome.gateway_charge_id,
                description=body.description,
                subscription_id=body.subscription_id,
            )
            return Charge.model_validate(row, from_attributes=True)

        return await self._once("charge", idempotency_key, body, work)

    @implements(api.receive_gateway_event)
    async def receive_gateway_event(self, body: GatewayEvent) -> GatewayEventReceipt:
        self.runtime.forwarding.require_subscriptions()
        receipt = await gateway_events.receive(self.runtime.db, body)
        self.runtime.forwarding.relay.wake()
        return receipt

    @implements(api.get_gateway_event)
    async def get_gateway_event(self, event_id: str) -> GatewayEventReceipt:
        return await gateway_events.receipt(self.runtime.db, event_id)


async def _transaction(entry: Awaitable[storage.CreditTransactionRow]) -> CreditTransaction:
    return CreditTransaction.model_validate(await entry, from_attributes=True)
