"""The subscription lifecycle: which status may follow which."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from solo60.contracts.subscription import SubscriptionStatus as Status
from solo60.services.subscription import lifecycle
from solo60.services.subscription.storage import SubscriptionRow

NOW = datetime(2025, 2, 1, tzinfo=UTC)


def subscription(status: Status) -> SubscriptionRow:
    return SubscriptionRow(id="sub-1", user_id="123", status=status.value)


@pytest.mark.parametrize("ended", [Status.CANCELLED, Status.EXPIRED])
@pytest.mark.parametrize("wanted", list(Status))
def test_an_ended_subscription_never_comes_back(ended: Status, wanted: Status) -> None:
    with pytest.raises(lifecycle.MoveRefused):
        lifecycle.move(subscription(ended), wanted, NOW)


@pytest.mark.parametrize("live", [Status.TRIALING, Status.ACTIVE, Status.PAST_DUE])
def test_a_live_subscription_can_be_cancelled_or_expire(live: Status) -> None:
    for end in (Status.CANCELLED, Status.EXPIRED):
        row = subscription(live)
        lifecycle.move(row, end, NOW)
        assert row.status == end.value


def test_nothing_goes_back_to_a_trial() -> None:
    for status in Status:
        assert Status.TRIALING not in lifecycle.ALLOWED_MOVES[status]


def test_a_paid_up_past_due_subscription_is_active_again_and_forgets_when_it_was_due() -> None:
    row = subscription(Status.ACTIVE)
    lifecycle.move(row, Status.PAST_DUE, NOW)
    assert row.past_due_since == NOW

    lifecycle.move(row, Status.ACTIVE, NOW)

    assert (row.status, row.past_due_since) == ("ACTIVE", None)


def test_cancelling_stamps_when() -> None:
    row = subscription(Status.ACTIVE)

    lifecycle.move(row, Status.CANCELLED, NOW)

    assert row.cancelled_at == NOW
