"""One run of the due jobs against the subscription service's database, then retention in every service's.

The runner opens the service's own database (the URL the service would use, or the one
given) and, for renewals, calls the payment service as the subscription service would
(`PAYMENT_SERVICE_URL`). It writes what is due into the service's outbox in the same
transaction as each change; the running subscription service's relay delivers those mails and
allocations (within `OUTBOX_IDLE_SECONDS`). Safe to run concurrently and repeatedly: every
notice is claimed once, every change is applied only to the subscription as it was read,
and every charge carries a key derived from the subscription and the period.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from solo60.clients import ClientConfig, PaymentClient, service_url_variable
from solo60.jobs.retention import Retained, enforce_retention
from solo60.services import definition
from solo60.services.kit import Database, ServiceSettings
from solo60.services.kit.retention import RetentionPolicy
from solo60.services.kit.settings import ConfigurationError
from solo60.services.subscription.due_jobs import run_due as run_subscription_jobs
from solo60.services.subscription.due_results import JobResult
from solo60.services.subscription.runtime import CALLER


@dataclass(frozen=True)
class DueRun:
    now: datetime
    database: str
    """The database's URL, password hidden."""
    dry_run: bool
    results: list[JobResult]
    retention: list[Retained] = field(default_factory=list)
    """What retention deleted (or would) in each service's database."""
    policy: RetentionPolicy = field(default_factory=RetentionPolicy)

    @property
    def failed(self) -> list[JobResult]:
        return [result for result in self.results if result.failed]

    @property
    def retention_failed(self) -> list[Retained]:
        return [result for result in self.retention if result.error]


async def run_due(
    *,
    now: datetime,
    environ: Mapping[str, str],
    database_url: str | None = None,
    dry_run: bool = False,
    policy: RetentionPolicy | None = None,
) -> DueRun:
    """Do what is due at `now`, then enforce retention everywhere; a dry run changes and charges nothing.

    The retention settings are read first, so a bad one stops the run before anything is done.
    """
    policy = policy or RetentionPolicy.from_environ(environ)
    overrides = {"database_url": database_url} if database_url else {}
    settings = ServiceSettings.from_env("subscription", environ, **overrides)
    db = definition("subscription").database(settings)
    payments = None
    try:
        if dry_run:
            await _require_schema(db)
        else:
            await db.migrate()
            payments = _payments(settings)
        results = await run_subscription_jobs(db, payments, now=now, dry_run=dry_run)
    finally:
        if payments is not None:
            await payments.aclose()
        await db.dispose()
    retained = await enforce_retention(
        now=now,
        environ=environ,
        policy=policy,
        dry_run=dry_run,
        database_urls={"subscription": database_url} if database_url else None,
    )
    return DueRun(now=now, database=_shown(db.url), dry_run=dry_run, results=results, retention=retained, policy=policy)


def _payments(settings: ServiceSettings) -> PaymentClient | None:
    """The payment service's client; without `PAYMENT_SERVICE_URL`, renewals are reported as not charged."""
    if not (settings.setting(service_url_variable("payment")) or "").strip():
        return None
    return PaymentClient(ClientConfig.from_env("payment", caller=CALLER, environ=settings.extra))


async def _require_schema(db: Database) -> None:
    """A dry run reads only: a database the service never migrated has nothing due, but say why."""
    async with db.engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: sa.inspect(sync).get_table_names())
    if "subscriptions" not in tables:
        raise ConfigurationError(
            "it has no subscription tables yet; start the subscription service once, or run without --dry-run"
        )


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
