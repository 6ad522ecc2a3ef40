"""Communication's real event handler, as a message pact's handler: each message handled in a database of its own.

pact-python calls the handler synchronously with a message's body and metadata; it builds the
envelope a broker would deliver (the metadata is the envelope's headers), runs
`MailEvents.handle` (what communication's queue consumer runs) on a freshly migrated
communication database, and keeps the mails it queued, so the test can say what the member
would receive. A message the handler rejects raises, and the pact is not written.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from solo60.contracts.events import Envelope
from solo60.harness.made.consumer_database import consumer_database, queued_calls
from solo60.services.communication import storage
from solo60.services.communication.event_consumer import MailEvents


@dataclass(frozen=True)
class QueuedMail:
    template_key: str
    subject: str
    body: str
    to: str


@dataclass
class Communication:
    """The handler pact-python calls, and what it queued."""

    directory: Path
    producer: str
    queued: list[QueuedMail] = field(default_factory=list)

    def __call__(self, body: str | bytes | None, metadata: dict[str, object]) -> None:
        envelope = Envelope(
            message_id=str(uuid.uuid4()),
            name=str(metadata["eventName"]),
            version=int(str(metadata["eventVersion"])),
            producer=self.producer,
            occurred_at=datetime.now(UTC),
            payload=json.loads(body or "null"),
        )
        self.queued += asyncio.run(self._handle(envelope))

    async def _handle(self, envelope: Envelope) -> list[QueuedMail]:
        directory = self.directory / uuid.uuid4().hex[:8]
        async with consumer_database("communication", directory) as db:
            await MailEvents(db, max_attempts=3).handle(envelope)
            calls = await queued_calls(db, storage.outbox, storage.SEND_MAIL)
        return [
            QueuedMail(
                template_key=call.payload["templateKey"],
                subject=call.payload["subject"],
                body=call.payload["body"],
                to=call.payload.get("recipientEmail") or f"user {call.payload['recipientUserId']}",
            )
            for call in calls
        ]
