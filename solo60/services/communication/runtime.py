"""The communication service's resources: the mail server (or the local sink), the recipient cache, the dispatcher."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from solo60.services.communication.config import MailConfig
from solo60.services.communication.dispatcher import Dispatcher
from solo60.services.communication.mail_sink import MailSink
from solo60.services.communication.mail_transport import SmtpTransport
from solo60.services.communication.recipients import RecipientCache
from solo60.services.communication.user_directory import user_directory
from solo60.services.kit import Database, Runtime, ServiceSettings

logger = logging.getLogger("solo60.services.communication")

DISPATCHER_STOP_SECONDS = 10.0


@dataclass
class Mail:
    """How mail leaves the service, and where `userId` addresses come from."""

    transport: SmtpTransport
    recipients: RecipientCache
    sink: MailSink | None = None


@asynccontextmanager
async def open_mail(settings: ServiceSettings, config: MailConfig, db: Database) -> AsyncIterator[Mail]:
    """The configured mail server; without one (never in production) an embedded sink under the data directory."""
    sink = None
    if config.smtp_host is None:
        sink = MailSink(settings.data_dir / "mail")
        await sink.start()
        server = config.smtp_server(host="127.0.0.1", port=sink.port)
        logger.warning(
            "SMTP_HOST is not set: mail goes to the local sink at 127.0.0.1:%d and is stored in %s",
            sink.port,
            sink.directory.resolve(),
        )
    else:
        server = config.smtp_server()
        logger.info("mail goes to %s as %s", server.describe(), config.mail_from)
    directory = user_directory(settings)
    recipients = RecipientCache(
        db,
        directory,
        ttl=timedelta(seconds=config.recipient_cache_seconds),
        unknown_ttl=timedelta(seconds=config.unknown_recipient_cache_seconds),
    )
    try:
        yield Mail(transport=SmtpTransport(server), recipients=recipients, sink=sink)
    finally:
        await directory.aclose()
        if sink is not None:
            await sink.stop()


class CommunicationRuntime(Runtime):
    """Opens the mail resources and runs one dispatcher in the service's event loop (unless MAIL_DISPATCHER=0)."""

    config: MailConfig
    mail: Mail
    dispatcher: Dispatcher

    async def start(self) -> None:
        self.config = MailConfig.from_settings(self.settings)
        self._resources = AsyncExitStack()
        self.mail = await self._resources.enter_async_context(open_mail(self.settings, self.config, self.db))
        self.dispatcher = Dispatcher(self.db, self.mail.transport, self.mail.recipients, self.config)
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        if self.config.run_dispatcher:
            self._task = asyncio.create_task(self.dispatcher.run(self._stop, self._wake), name="mail-dispatcher")

    def message_queued(self) -> None:
        """Wake the dispatcher now rather than at its next poll."""
        self._wake.set()

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=DISPATCHER_STOP_SECONDS)
            except TimeoutError:
                logger.warning("the mail dispatcher did not stop within %g s; cancelled", DISPATCHER_STOP_SECONDS)
        await self._resources.aclose()
