"""A local card gateway that answers like Stripe's test mode: the card token decides the outcome.

| token | outcome |
| --- | --- |
| `tok_visa`, `tok_mastercard`, `tok_amex` | succeeds |
| `tok_chargeDeclined` | declined: `card_declined` |
| `tok_chargeDeclinedInsufficientFunds` | declined: `insufficient_funds` |
| `tok_chargeDeclinedExpiredCard` | declined: `expired_card` |
| `tok_gatewayUnavailable` | the gateway is down (every attempt) |
| `tok_gatewayFlaky` | the first attempt of each idempotency key fails, a retry succeeds |
| anything else | declined: `invalid_card_token` |

Charge ids derive from the idempotency key, so a repeated key gets the same charge, as with a
real gateway's idempotency.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

from solo60.services.payment.gateway import CardCharge, ChargeOutcome, GatewayUnavailable

SUCCEEDING_TOKENS = frozenset({"tok_visa", "tok_mastercard", "tok_amex"})
DECLINES: dict[str, tuple[str, str]] = {
    "tok_chargeDeclined": ("card_declined", "The card was declined."),
    "tok_chargeDeclinedInsufficientFunds": ("insufficient_funds", "The card has insufficient funds."),
    "tok_chargeDeclinedExpiredCard": ("expired_card", "The card has expired."),
}
UNAVAILABLE_TOKEN = "tok_gatewayUnavailable"
FLAKY_TOKEN = "tok_gatewayFlaky"
UNKNOWN_TOKEN = ("invalid_card_token", "The gateway does not know this card token.")
REMEMBERED_ATTEMPTS = 10_000


class GatewaySimulator:
    """Deterministic by card token; remembers only which flaky charges it already failed once."""

    def __init__(self) -> None:
        self._failed_once: OrderedDict[str, None] = OrderedDict()

    async def charge(self, charge: CardCharge) -> ChargeOutcome:
        token = charge.card_token
        if token == UNAVAILABLE_TOKEN:
            raise GatewayUnavailable("simulated outage for this card token")
        if token == FLAKY_TOKEN and self._first_attempt(charge.idempotency_key):
            raise GatewayUnavailable("simulated transient failure")
        charge_id = "sim_ch_" + hashlib.sha256(charge.idempotency_key.encode()).hexdigest()[:24]
        if token in SUCCEEDING_TOKENS or token == FLAKY_TOKEN:
            return ChargeOutcome(succeeded=True, gateway_charge_id=charge_id)
        code, reason = DECLINES.get(token, UNKNOWN_TOKEN)
        return ChargeOutcome(succeeded=False, gateway_charge_id=charge_id, failure_code=code, failure_reason=reason)

    async def aclose(self) -> None:
        return None

    def _first_attempt(self, key: str) -> bool:
        if key in self._failed_once:
            return False
        self._failed_once[key] = None
        if len(self._failed_once) > REMEMBERED_ATTEMPTS:
            self._failed_once.popitem(last=False)
        return True
