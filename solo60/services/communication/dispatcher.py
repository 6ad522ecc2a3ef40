"""The outbox dispatcher: delivers due messages one at a time, on a loop or once.

It runs inside the communication service (started by its Runtime) and can also run on its
own, as many replicas as wanted, against the same database:

    python -m solo60.services.communication.dispatcher --loop   # until SIGTERM or Ctrl-C
    python -m solo60.services.communication.dispatcher --once   # deliver what is due now, then exit

The delivery guarantee it gives, and why, is explained in `outbox.py`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import random
import signal
import socket
import uuid
from dataclasses import dataclass

from solo60 import correlation
from solo60.services.communication.config import MailConfig
from solo60.services.communication.letters import compose, is_mailbox_address
from solo60.services.communication.mail_transport import (
    MailConnection,
    MailRejected,
    MailServerUnavailable,
    SmtpTransport,
)
from solo60.services.communication.outbox import ClaimedMessage, Outbox, RetryPolicy
from solo60.services.communication.recipients import DirectoryUnavailable, RecipientCache, UnknownRecipient
from solo60.services.kit import Database

logger = logging.getLogger("solo60.services.communication.dispatcher")

MAX_IDLE_BACKOFF_SECONDS = 60.0


@dataclass
class PassReport:
    """What one pass over the due messages did."""

    looked_at: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    mail_server_unavailable: bool = False

    @property
    def delivered_anything(self) -> bool:
        return bool(self.sent or self.retried or self.failed)


def dispatcher_name() -> str:
    """Unique per dispatcher, readable in the lease column: host, process, and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Dispatcher:
    def __init__(
        self,
        db: Database,
        transport: SmtpTransport,
        recipients: RecipientCache,
        config: MailConfig,
        *,
        name: str | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.name = name or dispatcher_name()
        self.transport = transport
        self.recipients = recipients
        self.config = config
        self.rng = rng or random.Random()
        self.outbox = Outbox(
            db,
            owner=self.name,
            lease=config.lease,
            policy=RetryPolicy(config.max_attempts, config.retry_base_seconds, config.retry_max_seconds),
        )

    async def deliver_due(self, limit: int | None = None) -> PassReport:
        """One pass: every due message (up to the batch size) claimed, sent and recorded, one at a time."""
        report = PassReport()
        report.failed += await self.outbox.fail_exhausted()
        due = await self.outbox.due(limit or self.config.dispatch_batch)
        report.looked_at = len(due)
        if not due:
            return report
        async with self.transport.connection() as connection:
            for message_id in due:
                claim = await self.outbox.claim(message_id)
                if claim is None:
                    continue  # another dispatcher took it, or it is no longer due
                await self._attempt(claim, connection, report)
                if report.mail_server_unavailable:
                    break  # the rest would fail the same way: leave them for the next pass
        return report

    async def drain(self, max_passes: int = 10_000) -> PassReport:
        """Passes until nothing due is left (or the mail server is down); the totals."""
        total = PassReport()
        for _ in range(max_passes):
            report = await self.deliver_due()
            total.looked_at += report.looked_at
            total.sent += report.sent
            total.retried += report.retried
            total.failed += report.failed
            if report.mail_server_unavailable:
                total.mail_server_unavailable = True
                break
            if not report.delivered_anything:
                break
        return total

    async def run(self, stop: asyncio.Event, wake: asyncio.Event | None = None) -> None:
        """Deliver until `stop` is set; `wake` cuts an idle wait short when a message is queued."""
        wake = wake or asyncio.Event()
        interval = self.config.dispatch_interval_seconds
        failures = 0
        logger.info("dispatcher %s started", self.name)
        while not stop.is_set():
            try:
                report = await self.deliver_due()
            except Exception:
                failures += 1
                logger.exception("dispatcher %s: pass failed (%d in a row)", self.name, failures)
                await _wait(stop, wake, min(interval * 2**failures, MAX_IDLE_BACKOFF_SECONDS))
                continue
            failures = 0
            if report.delivered_anything:
                logger.info(
                    "dispatcher %s: sent %d, retrying %d, failed %d",
                    self.name,
                    report.sent,
                    report.retried,
                    report.failed,
                )
            if report.delivered_anything and not report.mail_server_unavailable:
                continue  # more may be due right away
            await _wait(stop, wake, interval)
        logger.info("dispatcher %s stopped", self.name)

    async def _attempt(self, claim: ClaimedMessage, connection: MailConnection, report: PassReport) -> None:
        # The request that queued the mail named the correlation id; the user lookup carries it on.
        token = correlation.correlation_id.set(claim.correlation_id)
        try:
            await self._deliver(claim, connection, report)
        finally:
            correlation.correlation_id.reset(token)

    async def _deliver(self, claim: ClaimedMessage, connection: MailConnection, report: PassReport) -> None:
        try:
            async with asyncio.timeout(self.config.delivery_deadline.total_seconds()):
                recipient = await self._address_of(claim)
                message = compose(
                    message_id=claim.message_id,
                    sender=self.config.mail_from,
                    recipient=recipient,
                    subject=claim.subject,
                    body=claim.body,
                    template_key=claim.template_key,
                )
                await connection.send(message)
        except (UnknownRecipient, MailRejected) as error:
            await self.outbox.give_up(claim, str(error))
            report.failed += 1
        except DirectoryUnavailable as error:
            self._count(report, await self.outbox.retry_later(claim, str(error), self.rng))
        except MailServerUnavailable as error:
            report.mail_server_unavailable = True
            self._count(report, await self.outbox.retry_later(claim, str(error), self.rng))
        except TimeoutError:
            reason = f"delivery took longer than {self.config.delivery_deadline.total_seconds():g} s"
            self._count(report, await self.outbox.retry_later(claim, reason, self.rng))
        else:
            if await self.outbox.sent(claim):
                report.sent += 1
            else:
                logger.warning("dispatcher %s lost its lease on %s while sending it", self.name, claim.message_id)

    async def _address_of(self, claim: ClaimedMessage) -> str:
        address = claim.recipient_email
        if address is None:
            assert claim.recipient_user_id is not None
            address = await self.recipients.email_of(claim.recipient_user_id)
        if not is_mailbox_address(address):
            raise MailRejected(f"{address!r} is not an address mail can be sent to")
        return address

    @staticmethod
    def _count(report: PassReport, status: str) -> None:
        if status == "FAILED":
            report.failed += 1
        else:
            report.retried += 1


async def _wait(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> None:
    """Sleep up to `seconds`, waking early when stopped or woken."""
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
        wake.clear()


# -- running on its own ---------------------------------------------------------------------


async def run_standalone(*, once: bool, environ: dict[str, str] | None = None) -> PassReport | None:
    """The dispatcher as its own process, configured like the service (same variables)."""
    from solo60.services.communication import service
    from solo60.services.communication.runtime import open_mail
    from solo60.services.kit import ServiceSettings

    settings = ServiceSettings.from_env("communication", environ)
    config = MailConfig.from_settings(settings)
    db = service.database(settings)
    await db.migrate()
    try:
        async with open_mail(settings, config, db) as mail:
            dispatcher = Dispatcher(db, mail.transport, mail.recipients, config)
            if once:
                return await dispatcher.drain()
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop.set)
            await dispatcher.run(stop)
            return None
    finally:
        await db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m solo60.services.communication.dispatcher",
        description="Deliver the communication service's queued mail (configured like the service).",
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    mode.add_argument("--loop", action="store_true", help="keep delivering until SIGTERM or Ctrl-C")
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    report = asyncio.run(run_standalone(once=arguments.once))
    if report is not None:
        print(f"sent {report.sent}, retrying {report.retried}, failed {report.failed}", flush=True)
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        raise SystemExit(main())
