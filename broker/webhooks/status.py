"""An integration's webhook status, as the official index shows it: no webhook applies
("none"), none ran yet ("not_run"), one is being retried ("retrying"), or the newest run of
every webhook succeeded ("success") or not ("failure"), with when that last happened."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlalchemy.engine import Connection

from broker.pacticipants import repository as pacticipants_repository
from broker.webhooks import repository
from broker.webhooks.models import Webhook


class WebhookStatus(Enum):
    NONE = "none"
    NOT_RUN = "not_run"
    RETRYING = "retrying"
    SUCCESS = "success"
    FAILURE = "failure"


@dataclass(frozen=True)
class IntegrationWebhooks:
    status: WebhookStatus
    last_run_at: datetime | None


def _applies(
    hook: Webhook, consumer: int | None, provider: int | None, pair: tuple[int, int], labels: dict[int, list[str]]
) -> bool:
    consumer_id, provider_id = pair
    if consumer is not None and consumer != consumer_id:
        return False
    if provider is not None and provider != provider_id:
        return False
    if hook.consumer_label and hook.consumer_label not in labels.get(consumer_id, []):
        return False
    return not (hook.provider_label and hook.provider_label not in labels.get(provider_id, []))


def _status(runs: list[tuple[str, datetime | None]]) -> IntegrationWebhooks:
    if not runs or all(status == "not_run" for status, _ in runs):
        return IntegrationWebhooks(WebhookStatus.NOT_RUN, None)
    last = max((when for _, when in runs if when is not None), default=None)
    if any(status == "retrying" for status, _ in runs):
        return IntegrationWebhooks(WebhookStatus.RETRYING, last)
    succeeded = all(status == "success" for status, _ in runs)
    return IntegrationWebhooks(WebhookStatus.SUCCESS if succeeded else WebhookStatus.FAILURE, last)


def statuses(connection: Connection, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], IntegrationWebhooks]:
    """The webhook status of each (consumer id, provider id) pair, in at most three queries."""
    wanted = list(dict.fromkeys(pairs))
    if not wanted:
        return {}
    hooks = repository.enabled_with_party_ids(connection)
    needs_labels = any(hook.consumer_label or hook.provider_label for hook, _, _ in hooks)
    labels = (
        pacticipants_repository.ids_with_labels(connection, sorted({pid for pair in wanted for pid in pair}))
        if needs_labels
        else {}
    )
    covered = [
        pair
        for pair in wanted
        if any(_applies(hook, consumer, provider, pair, labels) for hook, consumer, provider in hooks)
    ]
    runs = repository.latest_triggered_for_pairs(connection, covered)
    return {
        pair: _status(runs[pair]) if pair in runs else IntegrationWebhooks(WebhookStatus.NONE, None) for pair in wanted
    }
