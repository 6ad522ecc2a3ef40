"""What the subscription service's handlers share besides the database: its clients and outbox relay."""

from __future__ import annotations

from solo60.clients import CommunicationClient, PaymentClient
from solo60.services.kit import OutboxRelay, Runtime
from solo60.services.kit.upstreams import client_if_configured
from solo60.services.subscription import storage
from solo60.services.subscription.deliveries import delivery_handlers

CALLER = "subscription"


class SubscriptionRuntime(Runtime):
    payments: PaymentClient | None = None
    communication: CommunicationClient | None = None
    relay: OutboxRelay

    async def start(self) -> None:
        environ = self.settings.extra
        handlers = delivery_handlers(self, self.wake)
        self.relay = OutboxRelay.from_settings(self.settings, self.db, storage.outbox, handlers)
        self.payments = client_if_configured(PaymentClient, caller=CALLER, environ=environ)
        self.communication = client_if_configured(CommunicationClient, caller=CALLER, environ=environ)
        self.relay.start()

    def wake(self) -> None:
        """Deliver what was just queued now rather than at the relay's next poll."""
        self.relay.wake()

    async def stop(self) -> None:
        await self.relay.stop()
        for client in (self.payments, self.communication):
            if client is not None:
                await client.aclose()
