"""The card gateway in production: Stripe's Charges API, through Stripe's own Python library.

| variable | meaning |
| --- | --- |
| `STRIPE_API_KEY` | the secret key (`sk_live_...`, or `sk_test_...` in Stripe's test mode); required |
| `STRIPE_API_BASE` | another address of the API: a stand-in such as `stripe-mock` (Docker Compose does this) |
| `STRIPE_TIMEOUT_SECONDS` | how long one request to Stripe may take (20) |

The payment service's Idempotency-Key travels as Stripe's, so a retried charge is the same
charge there too. A declined card is an outcome (its decline code kept); anything else that
keeps the charge from happening (no connection, Stripe's 5xx, a refused key, a rate limit) is
`GatewayUnavailable`, the payment route's 503.
"""

from __future__ import annotations

from typing import Any

import stripe

from solo60.services.payment.gateway import CardCharge, ChargeOutcome, GatewayUnavailable

API_KEY_SETTING = "STRIPE_API_KEY"
API_BASE_SETTING = "STRIPE_API_BASE"
TIMEOUT_SETTING = "STRIPE_TIMEOUT_SECONDS"
DEFAULT_TIMEOUT_SECONDS = 20.0
UNKNOWN_CARD = ("invalid_card_token", "The gateway does not know this card token.")


class StripeGateway:
    """Charges through `POST /v1/charges`; Stripe's library retries a lost connection with the same key."""

    def __init__(self, api_key: str, *, api_base: str | None = None, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self._http = stripe.HTTPXClient(timeout=timeout)
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_base} if api_base else None,
            http_client=self._http,
            max_network_retries=2,
        )

    async def charge(self, charge: CardCharge) -> ChargeOutcome:
        params: dict[str, Any] = {
            "amount": charge.amount_cents,
            "currency": charge.currency.lower(),
            "source": charge.card_token,
        }
        if charge.description:
            params["description"] = charge.description
        try:
            result = await self._client.v1.charges.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": charge.idempotency_key},
            )
        except stripe.CardError as declined:
            body = declined.json_body if isinstance(declined.json_body, dict) else {}
            error = body.get("error") or {}
            return ChargeOutcome(
                succeeded=False,
                gateway_charge_id=error.get("charge"),
                failure_code=error.get("decline_code") or declined.code or "card_declined",
                failure_reason=declined.user_message or "The card was declined.",
            )
        except stripe.InvalidRequestError as refused:
            if refused.param == "source" and refused.code == "resource_missing":
                return ChargeOutcome(False, None, *UNKNOWN_CARD)
            raise GatewayUnavailable(f"Stripe refused the charge request: {refused.user_message}") from refused
        except stripe.StripeError as failure:
            status = f" ({failure.http_status})" if failure.http_status else ""
            raise GatewayUnavailable(f"Stripe{status}: {failure.user_message or type(failure).__name__}") from failure
        if result.status == "succeeded":
            return ChargeOutcome(succeeded=True, gateway_charge_id=result.id)
        return ChargeOutcome(
            succeeded=False,
            gateway_charge_id=result.id,
            failure_code=result.failure_code or f"charge_{result.status}",
            failure_reason=result.failure_message or f"The charge is {result.status}.",
        )

    async def aclose(self) -> None:
        await self._http.close_async()
