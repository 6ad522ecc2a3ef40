"""How mail leaves the communication service: the mail server (or the local sink), and where addresses come from."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from solo60.services.communication.config import MailConfig
from solo60.services.communication.mail_sink import MailSink
from solo60.services.communication.mail_transport import SmtpTransport
from solo60.services.communication.recipients import RecipientCache
from solo60.services.communication.user_directory import user_directory
from solo60.services.kit import Database, ServiceSettings

logger = logging.getLogger("solo60.services.communication")


@dataclass
class OutgoingMail:
    """The transport to the mail server and the cache of `userId` addresses."""

    transport: SmtpTransport
    recipients: RecipientCache
    sink: MailSink | None = None


@asynccontextmanager
async def open_mail(settings: ServiceSettings, config: MailConfig, db: Database) -> AsyncIterator[OutgoingMail]:
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
        yield OutgoingMail(transport=SmtpTransport(server), recipients=recipients, sink=sink)
    finally:
        await directory.aclose()
        if sink is not None:
            await sink.stop()
