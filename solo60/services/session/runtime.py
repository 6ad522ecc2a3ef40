"""What the session service's handlers share besides the database: the clients and the outbox relay."""

from __future__ import annotations

from solo60.services.kit import OutboxRelay, Runtime
from solo60.services.kit.events import EventBus, bus_from_settings
from solo60.services.session import deliveries, storage
from solo60.services.session.config import FlowConfig
from solo60.services.session.upstreams import Upstreams


class SessionRuntime(Runtime):
    """Opens a client per configured service and the event bus, and runs the relay that delivers the flows'
    follow-ups (events to the bus, refunds to the payment service)."""

    config: FlowConfig
    upstreams: Upstreams
    relay: OutboxRelay
    bus: EventBus

    async def start(self) -> None:
        self.config = FlowConfig.from_settings(self.settings)
        self.upstreams = Upstreams.connect(self.settings)
        self.bus = bus_from_settings(self.settings)
        handlers = deliveries.handlers(self.db, self.upstreams, self.bus, wake=lambda: self.relay.wake())
        self.relay = OutboxRelay.from_settings(self.settings, self.db, storage.outbox, handlers)
        self.relay.start()

    async def stop(self) -> None:
        await self.relay.stop()
        await self.bus.close()
        await self.upstreams.aclose()
