"""Everything due in the subscriptions' lifecycle at a moment: period ends first, then reminders.

Period ends come first so a subscription renewed in this run is judged for reminders on its
new period. Each job runs in its own transaction, so one failure (the payment service being
down) neither undoes nor stops the others; it is reported and retried by the next run.
"""

from __future__ import annotations

import logging
from datetime import datetime

from solo60.clients import PaymentClient
from solo60.services.kit import Database
from solo60.services.subscription import storage
from solo60.services.subscription.due_results import JobResult
from solo60.services.subscription.period_ends import Step, handle_period_end, step_for
from solo60.services.subscription.reminders import send_due_reminders

logger = logging.getLogger("solo60.jobs")


async def run_due(
    db: Database, payments: PaymentClient | None, *, now: datetime, dry_run: bool = False
) -> list[JobResult]:
    """Do (or, with `dry_run`, list) what is due at `now`."""
    results: list[JobResult] = []
    async with db.read() as session:
        ended = [row for row in await storage.with_period_ended(session, now) if step_for(row, now) is not None]
    for subscription in ended:
        try:
            result = await handle_period_end(db, payments, subscription, now, dry_run=dry_run)
        except Exception as error:  # one subscription's bug must not stop the others' renewals
            logger.exception("the period end of subscription %s failed", subscription.id)
            step = step_for(subscription, now) or Step.RENEWAL
            result = JobResult(
                step.value,
                subscription.id,
                subscription.user_id,
                subscription.current_period_end,
                f"failed: {type(error).__name__}: {error}",
                failed=True,
            )
        if result is not None:
            results.append(result)
    results.extend(await send_due_reminders(db, now, dry_run=dry_run))
    return results
