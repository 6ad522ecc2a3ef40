"""Solo60's Pact Broker: a Pact Broker the official Pact clients work against unmodified.

    solo60 broker serve --port 9292                 # SQLite in the user's data directory
    solo60 broker serve --database-url postgresql://user@host/db

In Python: `broker.app.create_app(settings)` is the ASGI application and
`broker.testing.running_broker()` starts one in-process on a free port.
"""

from broker.config import AuthSettings, BrokerSettings, WebhookPolicy

__all__ = ["AuthSettings", "BrokerSettings", "WebhookPolicy"]
