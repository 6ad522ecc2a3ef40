"""What the payment service needs from a card gateway, whichever gateway it is.

Routes talk to this interface only; `PAYMENT_GATEWAY` picks the implementation at start
(`gateways.py`). The local simulator is the default, so development and tests need no account
anywhere; production refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class CardCharge:
    """What to charge. The idempotency key travels to the gateway so a retry never charges twice."""

    amount_cents: int
    currency: str
    card_token: str
    idempotency_key: str
    description: str | None = None


@dataclass(frozen=True)
class ChargeOutcome:
    """The gateway's answer: a charge id, and for a declined card its code and reason."""

    succeeded: bool
    gateway_charge_id: str | None
    failure_code: str | None = None
    failure_reason: str | None = None


class GatewayUnavailable(Exception):
    """The gateway could not be reached or failed; the charge did not happen and may be retried."""


class CardGateway(Protocol):
    async def charge(self, charge: CardCharge) -> ChargeOutcome:
        """Charge the card; a decline is an outcome, an outage raises `GatewayUnavailable`."""
        ...

    async def aclose(self) -> None:
        """Release its connections when the service stops."""
        ...
