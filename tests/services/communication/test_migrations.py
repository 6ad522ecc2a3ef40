"""Upgrading a database from before the kit's outbox carried mail: every message keeps its state, none is re-sent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from alembic import command

from solo60.services.communication import service, storage
from solo60.services.kit.database import sync_url
from solo60.services.kit.outbox import OutboxStore
from solo60.services.kit.settings import ServiceSettings

COLUMNS = (
    "id, template_key, recipient_user_id, recipient_email, subject, body, status, attempts, max_attempts, "
    "next_attempt_at, lease_owner, lease_expires_at, last_error, requested_by, correlation_id, created_at, "
    "updated_at, sent_at"
)
ROWS = [
    "('m-sent', 'SESSION_APPROVED', '123', NULL, 'Approved', 'Hi', 'SENT', 1, 8, NULL, NULL, NULL, NULL, "
    "'session', 'c-1', '2025-01-02 03:04:05+00:00', '2025-01-02 03:04:06+00:00', '2025-01-02 03:04:06+00:00')",
    "('m-queued', 'GUEST_INVITATION', NULL, 'grace@example.com', 'Invited', 'Hello', 'QUEUED', 2, 5, "
    "'2099-01-01 00:00:00+00:00', NULL, NULL, '451 try later', 'session', 'c-2', '2025-01-02 03:04:05+00:00', "
    "'2025-01-02 03:05:00+00:00', NULL)",
    "('m-failed', 'PASSWORD_RESET', '7', NULL, 'Reset', 'Link', 'FAILED', 8, 8, NULL, NULL, NULL, "
    "'gave up after 8 attempts', 'auth', NULL, '2025-01-02 03:04:05+00:00', '2025-01-02 04:00:00+00:00', NULL)",
]


async def test_mail_stored_before_the_move_keeps_its_status_attempts_and_content(
    new_database_url: Callable[[str], str],
) -> None:
    db = service.database(ServiceSettings(service="communication", database_url=new_database_url("communication")))
    engine = sa.create_engine(sync_url(db.url))
    with engine.begin() as connection:
        config = db.alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(sa.text(f"INSERT INTO email_messages ({COLUMNS}) VALUES {', '.join(ROWS)}"))
    engine.dispose()

    await db.migrate()
    async with db.read() as session:
        found = {
            message_id: await storage.find_message(session, message_id, max_attempts=8)
            for message_id in ("m-sent", "m-queued", "m-failed")
        }
        counts = await storage.count_by_status(session)
        queued_payload = await session.scalar(
            sa.select(storage.outbox.c.payload).where(storage.outbox.c.id == "m-queued")
        )
    nothing_due = await OutboxStore(db, storage.outbox, owner="t", lease=timedelta(minutes=1), max_attempts=8).due(10)
    await db.dispose()

    sent, queued, failed = found["m-sent"], found["m-queued"], found["m-failed"]
    assert sent is not None
    assert queued is not None
    assert failed is not None
    assert (sent.status, sent.attempts, sent.template_key) == ("SENT", 1, "SESSION_APPROVED")
    assert sent.sent_at is not None
    assert sent.next_attempt_at is None
    assert (queued.status, queued.attempts, queued.max_attempts, queued.last_error) == ("QUEUED", 2, 5, "451 try later")
    assert queued.next_attempt_at is not None
    assert queued.next_attempt_at.year == 2099
    assert queued_payload["recipientEmail"] == "grace@example.com"
    assert queued_payload["subject"] == "Invited"
    assert (failed.status, failed.last_error) == ("FAILED", "gave up after 8 attempts")
    assert counts == {"SENT": 1, "QUEUED": 1, "FAILED": 1}
    assert nothing_due == []  # the queued one waits for its next attempt; nothing already sent goes again
