"""The services a service calls: which are configured, and what their failures mean to our caller.

A service starts without them (its own tests and contract verification run it alone); a
flow that needs a missing one answers 503 UPSTREAM_UNAVAILABLE naming the variable, and an
outbox message for it waits and is retried, so it goes out once the service is configured.

A call that gives no answer the handler can use (the key refused, a 5xx, a timeout, an open
circuit breaker, an answer outside the contract) becomes, in one place (`upstream_failure`,
applied by the binding to whatever a handler lets escape), a 503 naming the service called.
Handlers only catch the answers that mean something to them (`UpstreamNotFound`, ...).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import TypeVar

from solo60.clients import (
    CircuitOpen,
    ClientConfig,
    ContractError,
    InvalidRequest,
    ServiceCallError,
    ServiceClient,
    TimedOut,
    TransportError,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamUnauthorized,
    service_url_variable,
)
from solo60.services.kit.errors import DependencyUnavailable

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
        raise DependencyUnavailable(f"The {target} service is not configured here ({service_url_variable(target)}).")
    return client


def for_delivery(client: Client | None, target: str) -> Client:
    """The client, or an error the outbox relay retries (the message waits for the configuration)."""
    if client is None:
        raise Unconfigured(f"{service_url_variable(target)} is not set, so the {target} service cannot be called")
    return client


def upstream_failure(error: ServiceCallError) -> DependencyUnavailable:
    """Our 503 for a call to another service that gave no answer we can use, naming that service and why.

    The one mapping of every upstream failure: a handler catches what it can answer itself
    (`UpstreamNotFound` -> our 404, ...) and lets the rest escape; the binding turns it into this.
    A retry hint of the upstream (an open breaker, its `Retry-After`) becomes ours.
    """
    target = f"The {error.service} service"
    if isinstance(error, UpstreamUnauthorized):
        why = (
            "refused this service's key (<NAME>_SERVICE_API_KEY or SERVICE_API_KEY here must be this service's "
            f"caller:key entry in SERVICE_API_KEYS or the keys file there): {error}"
        )
    elif isinstance(error, UpstreamRateLimited):
        why = f"is limiting this service's calls: {error}"
    elif isinstance(error, UpstreamError):
        why = f"failed to answer {error.operation}: {error}"
    elif isinstance(error, TimedOut):
        why = f"did not answer in time: {error}"
    elif isinstance(error, TransportError):
        why = f"could not be reached: {error}"
    elif isinstance(error, CircuitOpen):
        why = f"failed repeatedly, so calls to it are paused for {error.retry_after:.0f} s: {error}"
    elif isinstance(error, ContractError):
        why = f"answered {error.operation} outside its contract (field {error.field}): {error}"
    elif isinstance(error, InvalidRequest):
        why = f"was not called: this service's request broke that service's contract (a bug here): {error}"
    else:
        why = f"gave no usable answer: {error}"
    retry_after = getattr(error, "retry_after", None)
    headers = {"Retry-After": str(max(1, math.ceil(retry_after)))} if retry_after else None
    return DependencyUnavailable(f"{target} {why}", headers=headers)


def unavailable(error: Exception) -> bool:
    """Whether a failed call means "the service is not usable now" (503) rather than "it said no"."""
    if isinstance(error, TransportError | CircuitOpen | ContractError):
        return True
    return isinstance(error, UpstreamError) and error.status >= 500
