"""Names both the services and the clients read their configuration by, in a module light to import."""

from __future__ import annotations

DEVELOPMENT_API_KEY = "solo60-dev-key"
"""Accepted and sent when no keys are configured, outside production only."""


class ConfigurationError(RuntimeError):
    """A service or client cannot start with this configuration; the message says what to change."""


def service_url_variable(service: str) -> str:
    """`PAYMENT_SERVICE_URL` and friends: the seed's static-URL discovery."""
    return f"{service.upper()}_SERVICE_URL"


def calling_key_variable(caller: str) -> str:
    """`SESSION_SERVICE_API_KEY`: the key one service calls the others with (else `SERVICE_API_KEY`).

    Each service has a key of its own, which names it to the providers it calls; this variable
    lets several services that share one environment (one process, one compose file) each send theirs.
    """
    return f"{caller.upper().replace('-', '_')}_SERVICE_API_KEY"
