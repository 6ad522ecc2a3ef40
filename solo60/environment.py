"""Names both the services and the clients read their configuration by, in a module light to import."""

from __future__ import annotations

DEVELOPMENT_API_KEY = "solo60-dev-key"
"""Accepted and sent when no keys are configured, outside production only."""


class ConfigurationError(RuntimeError):
    """A service or client cannot start with this configuration; the message says what to change."""


def service_url_variable(service: str) -> str:
    """`PAYMENT_SERVICE_URL` and friends: the seed's static-URL discovery."""
    return f"{service.upper()}_SERVICE_URL"
