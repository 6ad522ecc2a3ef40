"""Typed clients for calling Solo60 services from another service.

    from solo60.clients import ClientConfig, PaymentClient, UpstreamInsufficientCredits

    async with PaymentClient(ClientConfig.from_env("payment", caller="session")) as payments:
        try:
            await payments.debit_credits(DebitCredits(...), idempotency_key=f"booking-{booking_id}")
        except UpstreamInsufficientCredits:
            ...

One client class per contract is generated into `solo60/clients/generated/` by `solo60 codegen`;
every behaviour of a call (headers, deadline, retries, circuit breaker, typed errors, tracing)
lives in `ServiceClient`. The environment variables are listed in `solo60/clients/_config.py`.
"""

from solo60.clients._base import ServiceClient
from solo60.clients._breaker import CircuitBreaker, CircuitState, reset_breakers
from solo60.clients._config import BreakerPolicy, ClientConfig, RetryPolicy, Timeouts, service_url_variable
from solo60.clients._exceptions import (
    CircuitOpen,
    ConnectFailed,
    ConnectionLost,
    ContractError,
    DeadlineExceeded,
    InvalidRequest,
    ServiceCallError,
    ServiceUnavailable,
    TimedOut,
    TransportError,
    UpstreamConflict,
    UpstreamDependencyUnavailable,
    UpstreamError,
    UpstreamForbidden,
    UpstreamIdempotencyKeyReused,
    UpstreamInsufficientCredits,
    UpstreamInternalError,
    UpstreamMethodNotAllowed,
    UpstreamNotFound,
    UpstreamPayloadTooLarge,
    UpstreamRateLimited,
    UpstreamUnauthorized,
    UpstreamUnsupportedMediaType,
    UpstreamValidationFailed,
)
from solo60.clients._reading import UnsentField
from solo60.clients.generated import *  # noqa: F403 - one client per contract, whatever contracts exist
from solo60.clients.generated import __all__ as _generated_clients
from solo60.environment import ConfigurationError

__all__ = [
    "BreakerPolicy",
    "CircuitBreaker",
    "CircuitOpen",
    "CircuitState",
    "ClientConfig",
    "ConfigurationError",
    "ConnectFailed",
    "ConnectionLost",
    "ContractError",
    "DeadlineExceeded",
    "InvalidRequest",
    "RetryPolicy",
    "ServiceCallError",
    "ServiceClient",
    "ServiceUnavailable",
    "TimedOut",
    "Timeouts",
    "TransportError",
    "UnsentField",
    "UpstreamConflict",
    "UpstreamDependencyUnavailable",
    "UpstreamError",
    "UpstreamForbidden",
    "UpstreamIdempotencyKeyReused",
    "UpstreamInsufficientCredits",
    "UpstreamInternalError",
    "UpstreamMethodNotAllowed",
    "UpstreamNotFound",
    "UpstreamPayloadTooLarge",
    "UpstreamRateLimited",
    "UpstreamUnauthorized",
    "UpstreamUnsupportedMediaType",
    "UpstreamValidationFailed",
    "reset_breakers",
    "service_url_variable",
    *_generated_clients,
]
