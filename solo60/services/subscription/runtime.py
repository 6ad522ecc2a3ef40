"""What the subscription service's handlers share besides the database: its payment client, the event bus
and the outbox relay that delivers to both."""

from __future__ import annotations

from solo60.clients import PaymentClient
from solo60.services.kit import OutboxRelay, Runtime
from solo60.services.kit.events import EventBus, bus_from_settings
from solo60.services.kit.upstreams import client_if_configured
from solo60.services.subscription import storage
from solo60.services.subscription.deliveries import delivery_handlers

CALLER = "subscription"


class SubscriptionRuntime(Runtime):
    payments: PaymentClient | None = None
    bus: EventBus
    relay: OutboxRelay

    async def start(self) -> None:
        environ = self.settings.extra
        self.bus = bus_from_settings(self.settings)
        handlers = delivery_handlers(self, self.wake)
        self.relay = OutboxRelay.from_settings(self.settings, self.db, storage.outbox, handlers)
        self.payments = client_if_configured(PaymentClient, caller=CALLER, environ=environ)
        self.relay.start()

    def wake(self) -> None:
        """Deliver what was just queued now rather than at the relay's next poll."""
        self.relay.wake()

    async def stop(self) -> None:
        await self.relay.stop()
        await self.bus.close()
        if self.payments is not None:
            await self.payments.aclose()
