"""A consumer service's own database in a consumer test, and the calls its code queues there.

Much of what a consumer sends leaves through its outbox: the code that composes a mail, a
refund or a user update records it in the same transaction as the change it follows, and the
relay hands it to the generated client later. A consumer test drives exactly that code: it
runs the service's functions against a scratch SQLite database migrated by the service's own
migrations, reads back what they queued, and carries each queued call out with the service's
own delivery handler (under the key the relay would give it) through a client pointed at the
Pact mock server. So the pact records what the consumer's code composes, not what a test typed.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from solo60.services import definition
from solo60.services.kit.database import Database
from solo60.services.kit.outbox import PENDING, Deliver, idempotency_key_for


@dataclass(frozen=True)
class QueuedCall:
    """One call the consumer's code queued: its outbox id, operation and payload."""

    id: str
    operation: str
    payload: dict[str, Any]

    @property
    def key(self) -> str:
        """The Idempotency-Key the relay sends this call with, on every attempt."""
        return idempotency_key_for(self.id)


_MIGRATED: dict[str, Path] = {}
"""Per process, one SQLite file per service that its migrations made; each test gets a copy."""

_TEMPLATES: list[Path] = []
"""The folder holding this process's templates, made on first use and removed when it exits."""


def _templates_folder() -> Path:
    if not _TEMPLATES or not _TEMPLATES[0].is_dir():
        folder = Path(tempfile.mkdtemp(prefix="solo60-schemas-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _TEMPLATES[:] = [folder]
    return _TEMPLATES[0]


async def migrated_sqlite(service: str, target: Path) -> Path:
    """`target`, a SQLite file with the service's schema as its own migrations make it.

    The migrations run once per process into a template that is then copied: a consumer suite
    runs them for every test otherwise, and they cost more than the test.
    """
    template = _MIGRATED.get(service)
    if template is None or not template.exists():
        template = _templates_folder() / f"{service}.sqlite"
        db = _database(service, template)
        try:
            await db.migrate()
        finally:
            await db.dispose()
        _MIGRATED[service] = template
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    return target


@asynccontextmanager
async def consumer_database(service: str, directory: Path) -> AsyncIterator[Database]:
    """The consumer service's database as its migrations make it, in a scratch SQLite file."""
    db = _database(service, await migrated_sqlite(service, directory / f"{service}-consumer.sqlite"))
    try:
        yield db
    finally:
        await db.dispose()


def _database(service: str, path: Path) -> Database:
    return Database(
        f"sqlite:///{path}", migrations=definition(service).migrations, version_table=f"{service}_alembic_version"
    )


async def queued_calls(db: Database, table: sa.Table, operation: str | None = None) -> list[QueuedCall]:
    """The calls waiting in the outbox (of one operation, if given), oldest first."""
    query = sa.select(table.c.id, table.c.operation, table.c.payload).where(table.c.status == PENDING)
    if operation is not None:
        query = query.where(table.c.operation == operation)
    async with db.read() as session:
        rows = (await session.execute(query.order_by(table.c.created_at, table.c.id))).all()
    return [QueuedCall(row.id, row.operation, dict(row.payload)) for row in rows]


async def deliver(db: Database, table: sa.Table, call: QueuedCall, handlers: Mapping[str, Deliver]) -> None:
    """Carry one queued call out with the service's own handler, as its relay does; a refusal propagates.

    Once the handler returns the call is done and leaves the outbox, so the next `queued_calls`
    sees what the handler itself queued (a notice after an allocation, say).
    """
    await handlers[call.operation](dict(call.payload), call.key)
    async with db.write() as session:
        await session.execute(table.delete().where(table.c.id == call.id))
