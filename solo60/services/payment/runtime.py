"""What the payment service's handlers share besides the database: the card gateway and event forwarding."""

from __future__ import annotations

from solo60.services.kit import Database, Runtime, ServiceSettings
from solo60.services.payment.forwarding import Forwarding
from solo60.services.payment.gateway import CardGateway
from solo60.services.payment.gateways import gateway_from_settings


class PaymentRuntime(Runtime):
    forwarding: Forwarding

    def __init__(self, settings: ServiceSettings, db: Database) -> None:
        super().__init__(settings, db)
        self.gateway: CardGateway = gateway_from_settings(settings)

    async def start(self) -> None:
        self.forwarding = Forwarding.start(self.settings, self.db)

    async def stop(self) -> None:
        await self.forwarding.stop()
        await self.gateway.aclose()
