"""A consumer's side of at-least-once delivery: each message id is acted on once.

`once_per_event` records the message id and does the consumer's work in one transaction of
the consumer's own database: a redelivered message (a lost acknowledgement, a consumer
killed after its commit, a publisher that published twice) finds its id recorded and is
dropped; a consumer killed before the commit did nothing, so the redelivery does it all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from solo60.contracts.events import Envelope
from solo60.services.kit.database import Database
from solo60.services.kit.storage import UtcDateTime, utc_now

TABLE_NAME = "events_seen"


def events_seen_table(metadata: sa.MetaData) -> sa.Table:
    """The message ids a consumer has acted on (deleted after their retention like delivered outbox rows)."""
    return sa.Table(
        TABLE_NAME,
        metadata,
        sa.Column("message_id", sa.String(128), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("seen_at", UtcDateTime, nullable=False, index=True),
    )


async def once_per_event(
    db: Database, table: sa.Table, envelope: Envelope, work: Callable[[AsyncSession], Awaitable[None]]
) -> bool:
    """Do `work` for this message unless its id was seen; True if it was done now.

    Two consumers racing on one message both try the insert; the loser's commit fails on the
    primary key, its message is returned to the queue, and its redelivery is dropped.
    """
    async with db.write() as session:
        seen = await session.scalar(sa.select(table.c.message_id).where(table.c.message_id == envelope.message_id))
        if seen is not None:
            return False
        await session.execute(
            table.insert().values(message_id=envelope.message_id, name=envelope.name, seen_at=utc_now())
        )
        await work(session)
    return True
