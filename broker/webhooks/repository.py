"""Queries for webhooks, triggered webhooks and executions."""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.pacticipants.tables import pacticipants
from broker.storage.schema import utcnow
from broker.webhooks.models import TriggeredWebhook, Webhook, WebhookExecution, WebhookRequest
from broker.webhooks.tables import triggered_webhooks, webhook_executions, webhooks

_consumers = pacticipants.alias("webhook_consumers")
_providers = pacticipants.alias("webhook_providers")


def _select() -> sa.Select[Any]:
    return (
        sa.select(
            webhooks.c.id,
            webhooks.c.uuid,
            webhooks.c.description,
            webhooks.c.enabled,
            _consumers.c.name.label("consumer_name"),
            webhooks.c.consumer_label,
            _providers.c.name.label("provider_name"),
            webhooks.c.provider_label,
            webhooks.c.events,
            webhooks.c.request,
            webhooks.c.created_at,
            webhooks.c.updated_at,
            webhooks.c.consumer_id,
            webhooks.c.provider_id,
        )
        .outerjoin(_consumers, _consumers.c.id == webhooks.c.consumer_id)
        .outerjoin(_providers, _providers.c.id == webhooks.c.provider_id)
    )


def _from_row(row: Any) -> Webhook:
    request = row.request or {}
    return Webhook(
        row.id,
        row.uuid,
        row.description,
        bool(row.enabled),
        row.consumer_name,
        row.consumer_label,
        row.provider_name,
        row.provider_label,
        list(row.events or []),
        WebhookRequest(
            method=request.get("method", "POST"),
            url=request.get("url", ""),
            headers=dict(request.get("headers") or {}),
            body=request.get("body"),
            username=request.get("username"),
            password=request.get("password"),
        ),
        row.created_at,
        row.updated_at,
    )


def where(connection: Connection, *criteria: Any) -> list[Webhook]:
    rows = connection.execute(_select().where(*criteria).order_by(webhooks.c.id))
    return [_from_row(row) for row in rows]


def find_by_id(connection: Connection, webhook_id: int) -> Webhook | None:
    found = where(connection, webhooks.c.id == webhook_id)
    return found[0] if found else None


def find(connection: Connection, uuid: str) -> Webhook | None:
    found = where(connection, webhooks.c.uuid == uuid)
    return found[0] if found else None


EnabledWebhook = tuple[Webhook, int | None, int | None]
"""An enabled webhook with the ids of the consumer and provider it names (None: any)."""


def enabled_for(connection: Connection, consumer_id: int, provider_id: int) -> list[EnabledWebhook]:
    """Enabled webhooks scoped to this pair, to either side, by label, or to everything."""
    rows = connection.execute(
        _select().where(
            webhooks.c.enabled.is_(True),
            sa.or_(webhooks.c.consumer_id.is_(None), webhooks.c.consumer_id == consumer_id),
            sa.or_(webhooks.c.provider_id.is_(None), webhooks.c.provider_id == provider_id),
        )
    )
    return [(_from_row(row), row.consumer_id, row.provider_id) for row in rows]


def any_enabled(connection: Connection) -> bool:
    return connection.execute(sa.select(webhooks.c.id).where(webhooks.c.enabled.is_(True)).limit(1)).first() is not None


def insert(connection: Connection, uuid: str, values: Mapping[str, Any]) -> None:
    now = utcnow()
    connection.execute(webhooks.insert().values(uuid=uuid, created_at=now, updated_at=now, **values))


def update(connection: Connection, webhook_id: int, values: Mapping[str, Any]) -> None:
    connection.execute(webhooks.update().where(webhooks.c.id == webhook_id).values(updated_at=utcnow(), **values))


def delete(connection: Connection, webhook_id: int) -> None:
    connection.execute(webhooks.delete().where(webhooks.c.id == webhook_id))


# --- triggered webhooks --------------------------------------------------------------------------

_TRIGGERED_COLUMNS = (
    triggered_webhooks.c.id,
    triggered_webhooks.c.uuid,
    triggered_webhooks.c.webhook_id,
    webhooks.c.uuid.label("webhook_uuid"),
    triggered_webhooks.c.event_name,
    triggered_webhooks.c.status,
    triggered_webhooks.c.attempts,
    triggered_webhooks.c.context,
    triggered_webhooks.c.next_attempt_at,
    triggered_webhooks.c.created_at,
    triggered_webhooks.c.updated_at,
)


def _triggered(row: Any) -> TriggeredWebhook:
    return TriggeredWebhook(
        row.id,
        row.uuid,
        row.webhook_id,
        row.webhook_uuid,
        row.event_name,
        row.status,
        row.attempts,
        row.context or {},
        row.next_attempt_at,
        row.created_at,
        row.updated_at,
    )


def triggered_where(connection: Connection, *criteria: Any, limit: int = 100) -> list[TriggeredWebhook]:
    rows = connection.execute(
        sa.select(*_TRIGGERED_COLUMNS)
        .join(webhooks, webhooks.c.id == triggered_webhooks.c.webhook_id)
        .where(*criteria)
        .order_by(triggered_webhooks.c.id.desc())
        .limit(limit)
    )
    return [_triggered(row) for row in rows]


TRIGGERED_FLAG = "broker.webhooks_triggered"
"""Set in the connection's info when a write queues a webhook, so the worker is woken for it only."""


def insert_triggered(
    connection: Connection,
    webhook_id: int,
    event_name: str,
    context: Mapping[str, str],
    consumer_id: int | None,
    provider_id: int | None,
    status: str = "not_run",
) -> str:
    now = utcnow()
    uuid = str(uuid_module.uuid4())
    connection.execute(
        triggered_webhooks.insert().values(
            uuid=uuid,
            webhook_id=webhook_id,
            event_name=event_name,
            status=status,
            attempts=0,
            context=dict(context),
            consumer_id=consumer_id,
            provider_id=provider_id,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )
    )
    connection.info[TRIGGERED_FLAG] = True
    return uuid


_PENDING = ("not_run", "retrying")


def _claimable(now: datetime) -> list[Any]:
    return [
        triggered_webhooks.c.status.in_(_PENDING),
        triggered_webhooks.c.next_attempt_at <= now,
        sa.or_(triggered_webhooks.c.lease_expires_at.is_(None), triggered_webhooks.c.lease_expires_at <= now),
    ]


def next_attempt_at(connection: Connection) -> datetime | None:
    """When the soonest pending attempt falls due (a running attempt's lease counts as its due time)."""
    due_at = sa.case(
        (
            triggered_webhooks.c.lease_expires_at > triggered_webhooks.c.next_attempt_at,
            triggered_webhooks.c.lease_expires_at,
        ),
        else_=triggered_webhooks.c.next_attempt_at,
    )
    return connection.execute(sa.select(sa.func.min(due_at)).where(triggered_webhooks.c.status.in_(_PENDING))).scalar()


@dataclass(frozen=True)
class Claim:
    """One attempt this instance owns until `lease_expires_at`; `taken_over_from` names the
    instance whose lease on it ran out (it died, or was cut off, mid-attempt)."""

    job: TriggeredWebhook
    attempt: int
    taken_over_from: str | None


def claim_next(connection: Connection, instance: str, now: datetime, lease_until: datetime) -> Claim | None:
    """Claim the oldest due attempt. On PostgreSQL `FOR UPDATE SKIP LOCKED` lets every instance
    claim a different job without waiting; on SQLite the writer lock already serialises claims."""
    candidate = connection.execute(
        sa.select(triggered_webhooks.c.id, triggered_webhooks.c.claimed_by)
        .where(*_claimable(now))
        .order_by(triggered_webhooks.c.next_attempt_at, triggered_webhooks.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if candidate is None:
        return None
    attempts = connection.execute(
        triggered_webhooks.update()
        .where(triggered_webhooks.c.id == candidate.id, *_claimable(now))
        .values(
            claimed_by=instance,
            lease_expires_at=lease_until,
            attempts=triggered_webhooks.c.attempts + 1,
            updated_at=now,
        )
        .returning(triggered_webhooks.c.attempts)
    ).scalar()
    if attempts is None:
        return None
    job = triggered_where(connection, triggered_webhooks.c.id == candidate.id, limit=1)[0]
    return Claim(job, attempts, candidate.claimed_by)


def finish_attempt(
    connection: Connection, claim: Claim, instance: str, status: str, next_attempt_at: datetime | None
) -> bool:
    """Settle the attempt, only if this instance still owns it; False when a survivor took it over."""
    result = connection.execute(
        triggered_webhooks.update()
        .where(
            triggered_webhooks.c.id == claim.job.id,
            triggered_webhooks.c.claimed_by == instance,
            triggered_webhooks.c.attempts == claim.attempt,
        )
        .values(
            status=status, next_attempt_at=next_attempt_at, claimed_by=None, lease_expires_at=None, updated_at=utcnow()
        )
    )
    return result.rowcount == 1


def insert_execution(connection: Connection, triggered_id: int, success: bool, logs: str) -> None:
    connection.execute(
        webhook_executions.insert().values(
            triggered_webhook_id=triggered_id, success=success, logs=logs, created_at=utcnow()
        )
    )


def executions_of(connection: Connection, triggered_ids: list[int]) -> list[WebhookExecution]:
    if not triggered_ids:
        return []
    rows = connection.execute(
        sa.select(
            webhook_executions.c.id,
            triggered_webhooks.c.uuid,
            webhook_executions.c.success,
            webhook_executions.c.logs,
            webhook_executions.c.created_at,
        )
        .join(triggered_webhooks, triggered_webhooks.c.id == webhook_executions.c.triggered_webhook_id)
        .where(webhook_executions.c.triggered_webhook_id.in_(triggered_ids))
        .order_by(webhook_executions.c.id)
    )
    return [WebhookExecution(*row) for row in rows]


def new_uuid() -> str:
    return uuid_module.uuid4().hex


def recent_triggered(connection: Connection, webhook_id: int, limit: int) -> list[TriggeredWebhook]:
    """A webhook's newest triggered occurrences, newest first."""
    return triggered_where(connection, triggered_webhooks.c.webhook_id == webhook_id, limit=limit)


_same_pair_and_webhook = triggered_webhooks.alias("same_pair_and_webhook")


def latest_triggered_for_pairs(
    connection: Connection, pairs: list[tuple[int, int]]
) -> dict[tuple[int, int], list[tuple[str, datetime | None]]]:
    """Per (consumer id, provider id), the status and last change of the newest triggered
    occurrence of each webhook that fired for the pair."""
    result: dict[tuple[int, int], list[tuple[str, datetime | None]]] = {pair: [] for pair in pairs}
    if not pairs:
        return result
    # one index probe per pair and webhook (webhooks are few), not a scan of every run
    wanted = (
        sa.values(sa.column("consumer_id", sa.Integer), sa.column("provider_id", sa.Integer), name="wanted")
        .data(list(dict.fromkeys(pairs)))
        .cte("wanted")
    )
    same = _same_pair_and_webhook
    newest_of_each = (
        sa.select(sa.func.max(same.c.id))
        .where(
            same.c.consumer_id == wanted.c.consumer_id,
            same.c.provider_id == wanted.c.provider_id,
            same.c.webhook_id == webhooks.c.id,
        )
        .scalar_subquery()
    )
    newest = sa.select(newest_of_each).select_from(wanted).join(webhooks, sa.true())
    rows = connection.execute(
        sa.select(
            triggered_webhooks.c.consumer_id,
            triggered_webhooks.c.provider_id,
            triggered_webhooks.c.status,
            triggered_webhooks.c.updated_at,
        ).where(triggered_webhooks.c.id.in_(newest))
    )
    for row in rows:
        result[(row.consumer_id, row.provider_id)].append((row.status, row.updated_at))
    return result


@lru_cache(maxsize=1)
def _enabled_statement() -> sa.Select[Any]:
    """Built once: every publish and verification result asks it."""
    return _select().where(webhooks.c.enabled.is_(True)).order_by(webhooks.c.id)


def enabled_with_party_ids(connection: Connection) -> list[EnabledWebhook]:
    """Every enabled webhook with the ids of the consumer and provider it names (None: any)."""
    rows = connection.execute(_enabled_statement())
    return [(_from_row(row), row.consumer_id, row.provider_id) for row in rows]
