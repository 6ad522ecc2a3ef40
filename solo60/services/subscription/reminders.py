"""Reminders ahead of a date: RENEWAL_REMINDER 7 days before a renewal, TRIAL_ENDING 3 days before a trial ends.

A reminder is due from exactly its lead time before the date until the date itself, so a
run that was missed catches up, and is sent once per subscription and date: the notice row
is claimed and the mail queued in one transaction, so runners that overlap, or run again,
find it claimed. Only subscriptions that will really renew (active, not cancelling, with a
card on file) are reminded of a renewal; a cancelling trial gets no trial-ending warning.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from solo60.contracts.subscription import SubscriptionStatus
from solo60.services.kit import Database
from solo60.services.subscription import plan_events, storage
from solo60.services.subscription.due_results import JobResult
from solo60.services.subscription.storage import SubscriptionRow

RENEWAL_REMINDER_LEAD = timedelta(days=7)
TRIAL_ENDING_LEAD = timedelta(days=3)


@dataclass(frozen=True)
class Reminder:
    kind: str
    job: str
    status: SubscriptionStatus
    lead: timedelta
    column: InstrumentedAttribute[datetime | None]
    needs_card: bool
    send: Callable[[AsyncSession, SubscriptionRow, datetime], Awaitable[None]]

    def date_of(self, subscription: SubscriptionRow) -> datetime | None:
        return getattr(subscription, self.column.key)

    def is_due(self, subscription: SubscriptionRow, now: datetime) -> bool:
        date = self.date_of(subscription)
        return (
            subscription.status == self.status.value
            and not subscription.cancel_at_period_end
            and (subscription.chargeable or not self.needs_card)
            and date is not None
            and now < date <= now + self.lead
        )


async def _renewal_reminder(session: AsyncSession, subscription: SubscriptionRow, _date: datetime) -> None:
    await plan_events.renewal_reminder(session, subscription)


REMINDERS = (
    Reminder(
        kind="RENEWAL_REMINDER",
        job="renewal reminder",
        status=SubscriptionStatus.ACTIVE,
        lead=RENEWAL_REMINDER_LEAD,
        column=SubscriptionRow.current_period_end,
        needs_card=True,
        send=_renewal_reminder,
    ),
    Reminder(
        kind="TRIAL_ENDING",
        job="trial ending",
        status=SubscriptionStatus.TRIALING,
        lead=TRIAL_ENDING_LEAD,
        column=SubscriptionRow.trial_ends_at,
        needs_card=False,
        send=plan_events.trial_ending,
    ),
)


async def send_due_reminders(db: Database, now: datetime, *, dry_run: bool = False) -> list[JobResult]:
    results: list[JobResult] = []
    for reminder in REMINDERS:
        async with db.read() as session:
            candidates = await storage.unsent_notice_candidates(
                session, reminder.kind, reminder.column, reminder.status.value, now, now + reminder.lead
            )
        for candidate in candidates:
            if reminder.is_due(candidate, now):
                results.append(await _remind(db, reminder, candidate, now, dry_run))
    return results


async def _remind(db: Database, reminder: Reminder, seen: SubscriptionRow, now: datetime, dry_run: bool) -> JobResult:
    date = reminder.date_of(seen)
    assert date is not None
    if dry_run:
        return _result(reminder, seen, date, "would send")
    async with db.write() as session:
        subscription = await storage.find_subscription_for_update(session, seen.id)
        if subscription is None or not reminder.is_due(subscription, now) or reminder.date_of(subscription) != date:
            return _result(reminder, seen, date, "no longer due")
        if not await storage.claim_notice(session, subscription.id, reminder.kind, date):
            return _result(reminder, seen, date, "already sent")
        await reminder.send(session, subscription, date)
    return _result(reminder, seen, date, "sent")


def _result(reminder: Reminder, subscription: SubscriptionRow, date: datetime, outcome: str) -> JobResult:
    return JobResult(reminder.job, subscription.id, subscription.user_id, date, outcome)
