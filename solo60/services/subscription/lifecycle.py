"""Which status a subscription may move to from which, and what the gateway's events do to it.

TRIALING, ACTIVE and PAST_DUE are live; CANCELLED (the member ended it) and EXPIRED (it ran
out: a trial or period ended without payment) are final, so a member who comes back starts a
new subscription. Events about an ended subscription change nothing: the gateway may deliver
them late, and refusing them would only make it redeliver.
"""

from __future__ import annotations

from datetime import datetime

from solo60.contracts.subscription import SubscriptionStatus, WebhookOutcome
from solo60.services.subscription.storage import SubscriptionRow

Status = SubscriptionStatus

ALLOWED_MOVES: dict[Status, frozenset[Status]] = {
    Status.TRIALING: frozenset({Status.ACTIVE, Status.PAST_DUE, Status.CANCELLED, Status.EXPIRED}),
    Status.ACTIVE: frozenset({Status.PAST_DUE, Status.CANCELLED, Status.EXPIRED}),
    Status.PAST_DUE: frozenset({Status.ACTIVE, Status.CANCELLED, Status.EXPIRED}),
    Status.CANCELLED: frozenset(),
    Status.EXPIRED: frozenset(),
}
ENDED = frozenset(status for status, moves in ALLOWED_MOVES.items() if not moves)


class MoveRefused(Exception):
    def __init__(self, current: Status, wanted: Status) -> None:
        super().__init__(f"A {current.value} subscription cannot become {wanted.value}.")


def move(subscription: SubscriptionRow, wanted: Status, at: datetime) -> None:
    """Change the status if the lifecycle allows it, stamping when it happened."""
    current = Status(subscription.status)
    if wanted not in ALLOWED_MOVES[current]:
        raise MoveRefused(current, wanted)
    subscription.status = wanted.value
    if wanted is Status.PAST_DUE:
        subscription.past_due_since = at
    elif wanted is Status.ACTIVE:
        subscription.past_due_since = None
    elif wanted is Status.CANCELLED:
        subscription.cancelled_at = at


def after_payment_failure(subscription: SubscriptionRow, failed_at: datetime) -> WebhookOutcome:
    status = Status(subscription.status)
    if status in ENDED:
        return WebhookOutcome.IGNORED_SUBSCRIPTION_ENDED
    if status is Status.PAST_DUE:
        return WebhookOutcome.ALREADY_PAST_DUE
    move(subscription, Status.PAST_DUE, failed_at)
    return WebhookOutcome.MARKED_PAST_DUE


def after_trial_ending_notice(subscription: SubscriptionRow, trial_ends_at: datetime) -> WebhookOutcome:
    """The gateway's trial end becomes the subscription's, and the trial's period ends with it."""
    if Status(subscription.status) is not Status.TRIALING:
        return WebhookOutcome.IGNORED_NOT_TRIALING
    subscription.trial_ends_at = trial_ends_at
    if trial_ends_at > subscription.current_period_start:
        subscription.current_period_end = trial_ends_at  # so the due jobs convert or end it then, not before
    return WebhookOutcome.TRIAL_ENDING_RECORDED
