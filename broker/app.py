"""Build the broker application (what `uvicorn broker.app:app` and the CLI serve)."""

from __future__ import annotations

from broker.api.application import BrokerApplication
from broker.config import BrokerSettings


def create_app(settings: BrokerSettings | None = None) -> BrokerApplication:
    """An ASGI application; migrations run and the webhook worker starts on startup."""
    return BrokerApplication(settings or BrokerSettings.from_env())


def __getattr__(name: str) -> BrokerApplication:
    if name == "app":  # lazily, so importing this module never touches a database
        return create_app()
    raise AttributeError(name)
