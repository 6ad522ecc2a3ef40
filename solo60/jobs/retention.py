"""Retention across the services' databases: what `solo60 jobs run-due` deletes besides its subscription jobs.

Every service that keeps idempotency records, an outbox or consumed event ids has them pruned (`kit/retention.py`
says what and why). The runner opens each service's own database as the service would (its
`<SERVICE>_DATABASE_URL`, else its SQLite file in `SOLO60_DATA_DIR`) and leaves alone one that
does not exist yet or was never migrated: retention never creates anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from solo60.services import SERVICE_NAMES, definition
from solo60.services.kit import ServiceSettings
from solo60.services.kit.database import Database
from solo60.services.kit.retention import RetentionPolicy, purge, purge_seen_events

RETAINED_TABLES = ("idempotency_records", "outbox_messages", "events_seen")


@dataclass(frozen=True)
class Retained:
    """One service's database after a run: rows deleted (or, dry, that would be), or why it could not be done."""

    service: str
    idempotency_records: int = 0
    delivered_messages: int = 0
    error: str | None = None
    seen_events: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.idempotency_records or self.delivered_messages or self.seen_events or self.error)


async def enforce_retention(
    *,
    now: datetime,
    environ: Mapping[str, str],
    policy: RetentionPolicy,
    dry_run: bool = False,
    database_urls: Mapping[str, str] | None = None,
) -> list[Retained]:
    """Prune every service's database; a database that cannot be reached is reported, the others still pruned."""
    results = []
    for name in SERVICE_NAMES:
        service = definition(name)
        tables = {
            table: service.metadata.tables[table] for table in RETAINED_TABLES if table in service.metadata.tables
        }
        if not tables:
            continue
        overrides = {"database_url": database_urls[name]} if database_urls and name in database_urls else {}
        settings = ServiceSettings.from_env(name, environ, **overrides)
        if _never_created(settings.resolved_database_url()):
            continue
        db = service.database(settings)
        try:
            present = await _present(db, tables)
            if present:
                records, messages = await purge(db, present, now=now, policy=policy, dry_run=dry_run)
                seen = 0
                if "events_seen" in present:
                    seen = await purge_seen_events(db, present["events_seen"], now=now, policy=policy, dry_run=dry_run)
                results.append(Retained(name, records, messages, seen_events=seen))
        except (SQLAlchemyError, OSError) as error:
            results.append(Retained(name, error=_first_line(error)))
        finally:
            await db.dispose()
    return results


def _never_created(url: str) -> bool:
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists()


async def _present(db: Database, tables: dict[str, sa.Table]) -> dict[str, sa.Table]:
    async with db.engine.connect() as connection:
        existing = await connection.run_sync(lambda sync: set(sa.inspect(sync).get_table_names()))
    return {name: table for name, table in tables.items() if name in existing}


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__
