"""What the session service's handlers share besides the database: the clients and the outbox relay."""

from __future__ import annotations

from solo60.services.kit import OutboxRelay, Runtime
from solo60.services.session import deliveries, storage
from solo60.services.session.config import FlowConfig
from solo60.services.session.upstreams import Upstreams


class SessionRuntime(Runtime):
    """Opens a client per configured service and runs the relay that delivers the flows' follow-ups."""

    config: FlowConfig
    upstreams: Upstreams
    relay: OutboxRelay

    async def start(self) -> None:
        self.config = FlowConfig.from_settings(self.settings)
        self.upstreams = Upstreams.connect(self.settings)
        handlers = deliveries.handlers(self.db, self.upstreams, wake=lambda: self.relay.wake())
        self.relay = OutboxRelay.from_settings(self.settings, self.db, storage.outbox, handlers)
        self.relay.start()

    async def stop(self) -> None:
        await self.relay.stop()
        await self.upstreams.aclose()
