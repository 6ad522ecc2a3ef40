"""The communication service's resources: the mail server (or the local sink), the recipient cache, the mail
relay, and the event bus it consumes domain events from."""

from __future__ import annotations

from contextlib import AsyncExitStack

from solo60.environment import ConfigurationError
from solo60.services.communication.config import MailConfig
from solo60.services.communication.event_consumer import MailEvents
from solo60.services.communication.mail_target import mail_relay
from solo60.services.communication.outgoing_mail import OutgoingMail, open_mail
from solo60.services.kit import OutboxRelay, Runtime
from solo60.services.kit.events import EventBus, bus_from_settings


class CommunicationRuntime(Runtime):
    """Opens the mail resources, runs the kit's relay for queued mail (unless MAIL_DISPATCHER=0) and
    consumes the events whose mails it sends."""

    config: MailConfig
    mail: OutgoingMail
    relay: OutboxRelay
    bus: EventBus
    events: MailEvents

    async def start(self) -> None:
        self.config = MailConfig.from_settings(self.settings)
        self._resources = AsyncExitStack()
        self.mail = await self._resources.enter_async_context(open_mail(self.settings, self.config, self.db))
        self.relay = mail_relay(self.db, self.mail.transport, self.mail.recipients, self.config)
        if self.config.run_dispatcher:
            self.relay.start()
        self.events = MailEvents(self.db, max_attempts=self.config.max_attempts, queued=self.message_queued)
        self.bus = bus_from_settings(self.settings)
        try:
            await self.bus.subscribe(self.events.subscription())
        except Exception as error:
            await self.stop()
            raise ConfigurationError(f"communication cannot consume events from the message broker ({error})") from None

    def message_queued(self) -> None:
        """Deliver now rather than at the relay's next poll."""
        self.relay.wake()

    async def stop(self) -> None:
        if hasattr(self, "bus"):
            await self.bus.close()
        await self.relay.stop()
        await self._resources.aclose()
