"""Charging a member's card for a period, through the payment service's charges route.

Every charge carries a key derived from what it pays for (the subscription and the period),
so a retried start or a second runner reaches the same charge, and the payment service (and
its gateway) answer the first result instead of charging again. A declined card is an
answer, not a failure: the caller decides what it means.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from solo60.clients import PaymentClient, ServiceCallError
from solo60.contracts.payment import Charge, ChargeCard, ChargeStatus
from solo60.services.kit.upstreams import unavailable
from solo60.services.subscription.plan_events import day, plan_name, stamp
from solo60.services.subscription.storage import SubscriptionRow


class PaymentUnavailable(Exception):
    """The payment service (or its gateway) could not be reached: nothing is known to be charged; retry later."""


def first_month_key(subscription_id: str, plan: str, card_token: str) -> str:
    """The start's charge key: another card (after a decline) is another charge, the same request the same one."""
    choice = hashlib.sha256(f"{plan}\n{card_token}".encode()).hexdigest()[:16]
    return f"subscription-{subscription_id}-start-{choice}"


def period_key(subscription: SubscriptionRow, period_start: datetime, *, retry: bool = False) -> str:
    return f"subscription-{subscription.id}-period-{stamp(period_start)}" + ("-retry" if retry else "")


async def charge_period(
    payments: PaymentClient | None, subscription: SubscriptionRow, period_start: datetime, *, key: str
) -> Charge:
    """Charge the subscription's card for the month from `period_start`."""
    if payments is None:
        raise PaymentUnavailable("PAYMENT_SERVICE_URL is not set, so no card can be charged")
    if subscription.card_token is None or subscription.price_cents is None or subscription.currency is None:
        raise ValueError(f"subscription {subscription.id} has no card or price to charge")
    request = ChargeCard(
        user_id=subscription.user_id,
        amount_cents=subscription.price_cents,
        currency=subscription.currency,
        card_token=subscription.card_token,
        description=f"{plan_name(subscription)}, month from {day(period_start)}",
        subscription_id=subscription.id,
    )
    try:
        return await payments.charge_card(request, idempotency_key=key)
    except ServiceCallError as error:
        if not unavailable(error):
            raise
        raise PaymentUnavailable(str(error)) from error


def succeeded(charge: Charge) -> bool:
    return charge.status is ChargeStatus.SUCCEEDED
