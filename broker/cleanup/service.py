"""Cleaning the broker's database, as the official `clean` task does, in bounded batches.

One run, in order: versions no keep selector names (with their publications, verifications,
tags and deployment records, by cascade), oldest first; non-main branches with no new version
for `branch_max_age_days`; pact content nothing refers to any more; and, once older than
`overwritten_data_max_age_days`, overwritten data: content no publication uses any more since it
was republished with other content, verification results superseded by a newer one from the same
provider version, and settled webhook runs other than each webhook's newest.

Each batch (at most `batch_size` rows) is its own short transaction, so publishers are never held
up for long. Only one clean runs at a time across broker instances (a PostgreSQL advisory lock); a
second one finds the lock taken and reports that it skipped. A dry run deletes nothing and reports
per pacticipant what would go.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.cleanup import repository
from broker.cleanup.selectors import DEFAULT_KEEP_SELECTORS, KeepSelector
from broker.pacts.tables import pact_contents, pact_versions
from broker.storage.database import Database
from broker.storage.locks import session_lock
from broker.storage.schema import utcnow
from broker.verifications.tables import verifications
from broker.versions.tables import branches
from broker.webhooks.tables import triggered_webhooks

CLEAN_LOCK = "broker-clean"
MAX_BATCHES = 10_000  # a run always ends, however large the backlog


@dataclass(frozen=True)
class CleanOptions:
    keep: tuple[KeepSelector, ...] = DEFAULT_KEEP_SELECTORS
    batch_size: int = 500
    overwritten_data_max_age_days: float = 7
    branch_max_age_days: float = 90
    dry_run: bool = False


@dataclass
class PacticipantVersions:
    """For one pacticipant: how many versions go (oldest and newest of them) and how many stay."""

    name: str
    deleted: int = 0
    first: str | None = None
    last: str | None = None
    kept: int = 0


@dataclass
class CleanReport:
    dry_run: bool
    skipped: bool = False  # another clean held the lock
    pacticipants: dict[str, PacticipantVersions] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)  # what -> how many (would be) deleted
    kept_by_selector: list[tuple[dict[str, Any], int]] = field(default_factory=list)
    batches: int = 0

    @property
    def versions_deleted(self) -> int:
        return sum(item.deleted for item in self.pacticipants.values())


def _note_versions(report: CleanReport, rows: Sequence[Any]) -> None:
    for row in rows:
        item = report.pacticipants.setdefault(row.pacticipant, PacticipantVersions(row.pacticipant))
        item.deleted += 1
        item.first = item.first or row.number
        item.last = row.number


def _finders(options: CleanOptions, now: datetime) -> list[tuple[str, sa.Table, Callable[..., list[int]]]]:
    """Each kind of row a clean deletes after the versions: its name, table and finder(connection, limit)."""
    overwritten = now - timedelta(days=options.overwritten_data_max_age_days)
    stale = now - timedelta(days=options.branch_max_age_days)

    def stale_branches(connection: Connection, limit: int | None) -> list[int]:
        return [row.id for row in repository.stale_branches(connection, stale, limit)]

    aged = {"cutoff": overwritten}
    return [
        ("branches", branches, stale_branches),
        ("pact versions (overwritten)", pact_versions, partial(repository.overwritten_pact_versions, **aged)),
        ("pact versions (orphaned)", pact_versions, repository.orphan_pact_versions),
        ("verification results (superseded)", verifications, partial(repository.duplicate_verifications, **aged)),
        ("triggered webhooks", triggered_webhooks, partial(repository.old_triggered_webhooks, **aged)),
        ("pact content", pact_contents, repository.orphan_contents),
    ]


def _dry_run(connection: Connection, options: CleanOptions, now: datetime, report: CleanReport) -> None:
    _note_versions(report, repository.unkept_versions(connection, options.keep, now, None))
    for name, _table, find in _finders(options, now):
        report.deleted[name] = len(find(connection, None))
    report.kept_by_selector = [
        (selector.describe(), repository.kept_count(connection, selector, now)) for selector in options.keep
    ]


def _in_batches(
    database: Database, report: CleanReport, find: Callable[[Connection], Sequence[Any]], delete: Callable[..., None]
) -> int:
    total = 0
    while report.batches < MAX_BATCHES:
        with database.writing() as connection:
            found = find(connection)
            if found:
                delete(connection, found)
        report.batches += 1
        total += len(found)
        if not found:
            break
    return total


def _clean(database: Database, options: CleanOptions, now: datetime, report: CleanReport) -> None:
    size = options.batch_size

    def delete_versions(connection: Connection, rows: Sequence[Any]) -> None:
        repository.delete_versions(connection, [row.id for row in rows])
        _note_versions(report, rows)

    _in_batches(database, report, lambda c: repository.unkept_versions(c, options.keep, now, size), delete_versions)
    for name, table, find in _finders(options, now):
        report.deleted[name] = _in_batches(
            database,
            report,
            lambda c, find=find: find(c, size),  # type: ignore[misc]
            lambda c, ids, table=table: repository.delete_ids(c, table, ids),  # type: ignore[misc]
        )


def clean(database: Database, options: CleanOptions, now: datetime | None = None) -> CleanReport:
    """Run (or, with `dry_run`, plan) one clean; skipped when another instance is cleaning."""
    moment = now or utcnow()
    report = CleanReport(dry_run=options.dry_run)
    with database.engine.connect() as lock_connection, session_lock(lock_connection, CLEAN_LOCK, wait=False) as held:
        if not held:
            report.skipped = True
            return report
        if options.dry_run:
            with database.reading() as connection:
                _dry_run(connection, options, moment, report)
        else:
            _clean(database, options, moment, report)
    with database.reading() as connection:
        for name, count in repository.version_counts(connection).items():
            item = report.pacticipants.setdefault(name, PacticipantVersions(name))
            item.kept = count - item.deleted if options.dry_run else count
    return report
