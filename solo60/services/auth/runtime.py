"""What the auth service's handlers share besides the database: its clients, links and outbox relay."""

from __future__ import annotations

from solo60.clients import CommunicationClient, UserClient
from solo60.services.auth import storage
from solo60.services.auth.links import Links, links_from_settings
from solo60.services.auth.mail_outbox import delivery_handlers
from solo60.services.kit import OutboxRelay, Runtime
from solo60.services.kit.upstreams import client_if_configured

CALLER = "auth"


class AuthRuntime(Runtime):
    users: UserClient | None = None
    communication: CommunicationClient | None = None
    links: Links
    relay: OutboxRelay

    async def start(self) -> None:
        environ = self.settings.extra
        self.links = links_from_settings(self.settings)
        self.relay = OutboxRelay.from_settings(self.settings, self.db, storage.outbox, delivery_handlers(self))
        self.users = client_if_configured(UserClient, caller=CALLER, environ=environ)
        self.communication = client_if_configured(CommunicationClient, caller=CALLER, environ=environ)
        self.relay.start()

    async def stop(self) -> None:
        await self.relay.stop()
        for client in (self.users, self.communication):
            if client is not None:
                await client.aclose()
