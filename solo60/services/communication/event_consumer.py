"""Communication as a consumer of domain events: each event's mails queued once, whatever is redelivered.

The handler reads the envelope against the event's contract (an unknown name, another
version or a payload outside the contract is `Rejected`: dead-lettered, since no redelivery
can change it), renders the mails the event calls for (`event_mails.py`) and queues them in
communication's outbox in the same transaction that records the message id as seen
(`once_per_event`). A redelivered event is dropped; a mail's id derives from the event's
message id, so even a second recording could not queue it twice. The kit's mail relay then
sends what was queued, as it sends `send-async`'s mail.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from solo60 import correlation
from solo60.contracts.events import Envelope, UnknownEvent, event_named
from solo60.services.communication import storage, templates
from solo60.services.communication.event_mails import CONSUMED, MAILS_FOR, EventMail, mails_for
from solo60.services.kit.database import Database
from solo60.services.kit.events import Rejected, Subscription, once_per_event

CONSUMER = "communication"
MAIL_ID_NAMESPACE = uuid.UUID("0b1e5a3c-64d7-4c1f-8a0e-2f7d9c3b5e14")


def mail_message_id(event_message_id: str, index: int) -> str:
    """The id of the `index`-th mail of one event: the same on every redelivery."""
    return str(uuid.uuid5(MAIL_ID_NAMESPACE, f"{event_message_id}/{index}"))


class MailEvents:
    """The handler of communication's queue."""

    def __init__(self, db: Database, *, max_attempts: int, queued: Callable[[], None] = lambda: None) -> None:
        self.db = db
        self.max_attempts = max_attempts
        self.queued = queued

    def subscription(self) -> Subscription:
        return Subscription(CONSUMER, CONSUMED, self.handle)

    async def handle(self, envelope: Envelope) -> None:
        """Queue the event's mails unless this message id was handled already; raises `Rejected` for bad input."""
        rendered = [(mail, _rendered(mail)) for mail in self.read(envelope)]

        async def queue(session: AsyncSession) -> None:
            for index, (mail, letter) in enumerate(rendered):
                stored = storage.Mail(
                    template_key=letter.template_key.value,
                    subject=letter.subject,
                    body=letter.body,
                    recipient_user_id=mail.user_id,
                    recipient_email=mail.email,
                    requested_by=envelope.producer,
                )
                identifier = mail_message_id(envelope.message_id, index)
                await storage.queue_mail(session, identifier, stored, max_attempts=self.max_attempts)

        with _in_context_of(envelope):
            if await once_per_event(self.db, storage.events_seen, envelope, queue) and rendered:
                self.queued()

    @staticmethod
    def read(envelope: Envelope) -> list[EventMail]:
        """The mails an envelope calls for, read against its contract."""
        try:
            contract = event_named(envelope.name)
        except UnknownEvent as error:
            raise Rejected(str(error)) from None
        if contract not in MAILS_FOR:
            raise Rejected(f"communication does not consume {envelope.name!r}")
        if envelope.version != contract.version:
            raise Rejected(
                f"{envelope.name} version {envelope.version} is not the version {contract.version} read here"
            )
        try:
            payload = contract.parse(envelope.payload)
        except ValidationError as error:
            raise Rejected(f"{envelope.name} {envelope.message_id} breaks its contract: {error}") from None
        return mails_for(contract, payload)


def _rendered(mail: EventMail) -> templates.RenderedMail:
    try:
        return templates.render(mail.template_key, mail.variables)
    except templates.MissingVariables as error:
        raise Rejected(str(error)) from None


@contextlib.contextmanager
def _in_context_of(envelope: Envelope) -> Iterator[None]:
    """The producer's correlation id (carried on by the queued mails) and trace for the handling."""
    from opentelemetry import context, propagate

    token = correlation.correlation_id.set(envelope.correlation_id or correlation.new_correlation_id())
    attached = (
        context.attach(propagate.extract({"traceparent": envelope.traceparent})) if envelope.traceparent else None
    )
    try:
        yield
    finally:
        if attached is not None:
            context.detach(attached)
        correlation.correlation_id.reset(token)
