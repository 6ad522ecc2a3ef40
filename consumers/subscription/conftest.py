"""The subscription service's own code, driven in its consumer tests: its database, and a member's subscription."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from solo60.contracts.subscription import Plan
from solo60.harness.made.consumer_database import consumer_database
from solo60.services.kit.database import Database
from solo60.services.subscription.storage import SubscriptionRow

MONTHLY_8: dict[str, Any] = {
    "id": "sub-1",
    "user_id": "123",
    "plan": Plan.MONTHLY_8.value,
    "status": "ACTIVE",
    "credits_per_month": 8,
    "current_period_start": datetime(2025, 1, 1, tzinfo=UTC),
    "current_period_end": datetime(2025, 2, 1, tzinfo=UTC),
    "cancel_at_period_end": False,
    "created_at": datetime(2025, 1, 1, tzinfo=UTC),
    "updated_at": datetime(2025, 1, 1, tzinfo=UTC),
}
"""Ada's subscription to Solo60 Monthly 8, in its first period."""


@pytest.fixture
async def subscription_db(tmp_path: Path) -> AsyncIterator[Database]:
    async with consumer_database("subscription", tmp_path) as db:
        yield db


@pytest.fixture
def subscription() -> SubscriptionRow:
    return SubscriptionRow(**MONTHLY_8)
