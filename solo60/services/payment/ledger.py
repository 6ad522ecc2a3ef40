"""Moving credits: each operation changes the balance and appends the ledger entry in one transaction.

Every check is made by the statement that changes the data (a conditional UPDATE, a unique
constraint), never by reading first: two concurrent requests then cannot both pass a check
that only one of them should.
"""

from __future__ import annotations

from datetime import UTC

from sqlalchemy.ext.asyncio import AsyncSession

from solo60.contracts.payment import AllocateCredits, DebitCredits, RefundCredits, TransactionType
from solo60.services.payment import storage
from solo60.services.payment.storage import CreditTransactionRow


class InsufficientBalance(Exception):
    def __init__(self, user_id: str, balance: int, amount: int) -> None:
        super().__init__(f"User {user_id!r} has {balance} credits; {amount} are needed.")


class RefundRefused(Exception):
    """The refund would give back more than was debited for the session."""


class PeriodAlreadyAllocated(Exception):
    def __init__(self, body: AllocateCredits) -> None:
        start = body.period_start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        super().__init__(
            f"Credits of subscription {body.subscription_id!r} for the period starting {start} were already allocated."
        )


async def debit(session: AsyncSession, body: DebitCredits) -> CreditTransactionRow:
    balance = await storage.take_from_balance(session, body.user_id, body.amount)
    if balance is None:
        account = await storage.find_account(session, body.user_id)
        raise InsufficientBalance(body.user_id, account.balance if account else 0, body.amount)
    await storage.record_session_debit(session, body.user_id, body.session_id, body.amount)
    return await storage.add_transaction(
        session,
        user_id=body.user_id,
        type=TransactionType.DEBIT.value,
        amount=body.amount,
        balance_after=balance,
        session_id=body.session_id,
    )


async def refund(session: AsyncSession, body: RefundCredits) -> CreditTransactionRow:
    # The account row is locked before the session's, as a debit does, so the two cannot deadlock;
    # a refused refund rolls the balance back with everything else.
    balance = await storage.add_to_balance(session, body.user_id, body.amount)
    if not await storage.record_session_refund(session, body.user_id, body.session_id, body.amount):
        paid = await storage.find_session_payment(session, body.user_id, body.session_id)
        if paid is None:
            raise RefundRefused(
                f"Nothing was debited for session {body.session_id!r} of user {body.user_id!r}, so nothing can be "
                "refunded."
            )
        raise RefundRefused(
            f"Only {paid.debited - paid.refunded} of the {paid.debited} credits debited for session "
            f"{body.session_id!r} are left to refund; {body.amount} were asked."
        )
    return await storage.add_transaction(
        session,
        user_id=body.user_id,
        type=TransactionType.REFUND.value,
        amount=body.amount,
        balance_after=balance,
        session_id=body.session_id,
    )


async def allocate(session: AsyncSession, body: AllocateCredits) -> CreditTransactionRow:
    if await storage.allocation_exists(session, body.subscription_id, body.period_start):
        raise PeriodAlreadyAllocated(body)
    balance = await storage.add_to_balance(session, body.user_id, body.amount)
    try:
        return await storage.add_transaction(
            session,
            user_id=body.user_id,
            type=TransactionType.ALLOCATION.value,
            amount=body.amount,
            balance_after=balance,
            subscription_id=body.subscription_id,
            period_start=body.period_start,
        )
    except storage.DuplicateAllocation:
        raise PeriodAlreadyAllocated(body) from None
