"""Which card gateway the payment service charges through: `PAYMENT_GATEWAY`, checked at start.

| `PAYMENT_GATEWAY` | gateway |
| --- | --- |
| `simulator` (default outside production) | the local simulator: the card token decides (`gateway_simulator.py`) |
| `stripe` | Stripe's Charges API (`stripe_gateway.py`, needs `STRIPE_API_KEY`) |

Production never charges through the simulator, as it never mails through the local sink:
with `SOLO60_ENV=production` the variable must name a real gateway, or the service refuses to
start, saying what to set.
"""

from __future__ import annotations

from collections.abc import Callable

from solo60.services.kit.settings import ConfigurationError, ServiceSettings
from solo60.services.payment.gateway import CardGateway
from solo60.services.payment.gateway_simulator import GatewaySimulator
from solo60.services.payment.stripe_gateway import (
    API_BASE_SETTING,
    API_KEY_SETTING,
    DEFAULT_TIMEOUT_SECONDS,
    TIMEOUT_SETTING,
    StripeGateway,
)

GATEWAY_SETTING = "PAYMENT_GATEWAY"
SIMULATOR = "simulator"


def _simulator(_settings: ServiceSettings) -> CardGateway:
    return GatewaySimulator()


def _stripe(settings: ServiceSettings) -> CardGateway:
    api_key = (settings.setting(API_KEY_SETTING) or "").strip()
    if not api_key:
        raise ConfigurationError(f"{GATEWAY_SETTING}=stripe needs {API_KEY_SETTING}, the Stripe secret key")
    raw_timeout = (settings.setting(TIMEOUT_SETTING) or "").strip()
    try:
        timeout = float(raw_timeout) if raw_timeout else DEFAULT_TIMEOUT_SECONDS
    except ValueError:
        timeout = 0.0
    if not 0 < timeout <= 300:
        raise ConfigurationError(f"{TIMEOUT_SETTING} must be a number of seconds from 0 to 300, not {raw_timeout!r}")
    api_base = (settings.setting(API_BASE_SETTING) or "").strip() or None
    return StripeGateway(api_key, api_base=api_base, timeout=timeout)


GATEWAYS: dict[str, Callable[[ServiceSettings], CardGateway]] = {SIMULATOR: _simulator, "stripe": _stripe}


def gateway_from_settings(settings: ServiceSettings) -> CardGateway:
    """The gateway `PAYMENT_GATEWAY` names; the simulator by default, except in production."""
    chosen = (settings.setting(GATEWAY_SETTING) or "").strip().lower()
    production = settings.environment == "production"
    if production and chosen in ("", SIMULATOR):
        why = "is not set" if not chosen else "is the simulator"
        raise ConfigurationError(
            f"{GATEWAY_SETTING} {why}: in production the payment service charges real cards through a real "
            f"gateway. Set {GATEWAY_SETTING}=stripe and {API_KEY_SETTING} (and {API_BASE_SETTING} for a stand-in "
            "such as stripe-mock)."
        )
    name = chosen or SIMULATOR
    if name not in GATEWAYS:
        raise ConfigurationError(
            f"{GATEWAY_SETTING}={name!r} is not a known gateway; choose from {', '.join(GATEWAYS)}."
        )
    return GATEWAYS[name](settings)
