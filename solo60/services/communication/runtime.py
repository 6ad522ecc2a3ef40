"""The communication service's resources: the mail server (or the local sink), the recipient cache, the mail relay."""

from __future__ import annotations

from contextlib import AsyncExitStack

from solo60.services.communication.config import MailConfig
from solo60.services.communication.mail_target import mail_relay
from solo60.services.communication.outgoing_mail import OutgoingMail, open_mail
from solo60.services.kit import OutboxRelay, Runtime


class CommunicationRuntime(Runtime):
    """Opens the mail resources and runs the kit's relay for queued mail (unless MAIL_DISPATCHER=0)."""

    config: MailConfig
    mail: OutgoingMail
    relay: OutboxRelay

    async def start(self) -> None:
        self.config = MailConfig.from_settings(self.settings)
        self._resources = AsyncExitStack()
        self.mail = await self._resources.enter_async_context(open_mail(self.settings, self.config, self.db))
        self.relay = mail_relay(self.db, self.mail.transport, self.mail.recipients, self.config)
        if self.config.run_dispatcher:
            self.relay.start()

    def message_queued(self) -> None:
        """Deliver now rather than at the relay's next poll."""
        self.relay.wake()

    async def stop(self) -> None:
        await self.relay.stop()
        await self._resources.aclose()
