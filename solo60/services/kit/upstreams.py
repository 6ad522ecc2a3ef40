"""The services a service calls, as far as its environment names them.

A service starts without them (its own tests and contract verification run it alone); a
flow that needs a missing one answers 503 UPSTREAM_UNAVAILABLE naming the variable, and an
outbox message for it waits and is retried, so it goes out once the service is configured.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TypeVar

from solo60.clients import (
    CircuitOpen,
    ClientConfig,
    ContractError,
    ServiceClient,
    ServiceError,
    TransportError,
    service_url_variable,
)
from solo60.services.kit.errors import UpstreamUnavailable

logger = logging.getLogger("solo60.services.upstreams")

Client = TypeVar("Client", bound=ServiceClient)


class Unconfigured(RuntimeError):
    """A call needs a service whose URL is not configured: retryable, since configuration may come."""


def client_if_configured(kind: type[Client], *, caller: str, environ: Mapping[str, str]) -> Client | None:
    """The client of `kind.service`, or None (with a warning) when `<TARGET>_SERVICE_URL` is not set.

    A variable that is set but wrong (a bad URL, a bad timeout) raises `ConfigurationError`: better
    to stop the start-up, naming it, than to run without the calls.
    """
    variable = service_url_variable(kind.service)
    if not environ.get(variable, "").strip():
        logger.warning("%s is not set: the %s service will not call the %s service", variable, caller, kind.service)
        return None
    return kind(ClientConfig.from_env(kind.service, caller=caller, environ=environ))


def required(client: Client | None, target: str) -> Client:
    """The client, or the 503 a command route answers when its target is not configured."""
    if client is None:
        raise UpstreamUnavailable(f"The {target} service is not configured here ({service_url_variable(target)}).")
    return client


def for_delivery(client: Client | None, target: str) -> Client:
    """The client, or an error the outbox relay retries (the message waits for the configuration)."""
    if client is None:
        raise Unconfigured(f"{service_url_variable(target)} is not set, so the {target} service cannot be called")
    return client


def unavailable(error: Exception) -> bool:
    """Whether a failed call means "the service is not usable now" (503) rather than "it said no"."""
    if isinstance(error, TransportError | CircuitOpen | ContractError):
        return True
    return isinstance(error, ServiceError) and error.status >= 500
