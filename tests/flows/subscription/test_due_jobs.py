"""The due-jobs runner against the real services: reminders on the day, renewals charged once, ends mailed once."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from solo60.jobs import DueRun, run_due
from tests.flows.auth.platform import FAST, Platform, free_port
from tests.flows.subscription.members import (
    CREDITED,
    ENDED,
    PAYMENT_FAILED,
    at,
    balance_reaches,
    charges,
    member,
    set_card,
    started,
    subscription_of,
)
from tests.services.communication.smtp_server import eventually

ADA = "ada@example.com"
SECOND = timedelta(seconds=1)
RENEWS = "Solo60 Monthly 8 renews on"
TRIAL_ENDS = "Your trial ends on"


async def run(platform: Platform, now: datetime, *, payment_url: str | None = None) -> DueRun:
    """One run of `solo60 jobs run-due`, configured as the subscription service is."""
    environ = {
        **FAST,
        "SUBSCRIPTION_DATABASE_URL": platform.database_urls["subscription"],
        "PAYMENT_SERVICE_URL": payment_url or platform.services["payment"].url,
    }
    return await run_due(now=now, environ=environ)


def done(report: DueRun) -> list[tuple[str, str]]:
    return [(result.job, result.outcome) for result in report.results]


async def test_the_renewal_reminder_goes_out_seven_days_ahead_and_only_once(platform: Platform) -> None:
    subscription = await started(platform, await member(platform))
    renews_at = at(subscription["currentPeriodEnd"])

    too_early = await run(platform, renews_at - timedelta(days=7) - SECOND)
    on_time = await run(platform, renews_at - timedelta(days=7))
    again = await run(platform, renews_at - timedelta(days=6))

    assert done(too_early) == []
    assert done(on_time) == [("renewal reminder", "sent")]
    assert done(again) == []
    mail = await platform.mail_to(ADA, subject=RENEWS)
    assert f"renews on {renews_at.day} {renews_at:%B %Y}" in mail.body


async def test_the_trial_ending_warning_goes_out_three_days_ahead_and_only_once(platform: Platform) -> None:
    trial = await started(platform, await member(platform), trial=True, cardToken=None)
    ends_at = at(trial["trialEndsAt"])

    too_early = await run(platform, ends_at - timedelta(days=3) - SECOND)
    on_time = await run(platform, ends_at - timedelta(days=3))
    again = await run(platform, ends_at - SECOND)

    assert (done(too_early), done(on_time), done(again)) == ([], [("trial ending", "sent")], [])
    mail = await platform.mail_to(ADA, subject=TRIAL_ENDS)
    assert f"ends on {ends_at.day} {ends_at:%B %Y}" in mail.body


async def test_runners_running_at_once_send_each_reminder_once(platform: Platform) -> None:
    subscription = await started(platform, await member(platform))
    moment = at(subscription["currentPeriodEnd"]) - timedelta(days=7)

    reports = await asyncio.gather(*(run(platform, moment) for _ in range(3)))
    later = await run(platform, moment + timedelta(hours=1))

    outcomes = [outcome for report in reports for _, outcome in done(report)]
    assert outcomes.count("sent") == 1
    assert set(outcomes) <= {"sent", "already sent"}
    assert done(later) == []
    await platform.mail_to(ADA, subject=RENEWS)


async def test_a_cancelled_subscription_gets_no_reminder_and_ends_with_one_mail(platform: Platform) -> None:
    user_id = await member(platform)
    subscription = await started(platform, user_id)
    ends_at = at(subscription["currentPeriodEnd"])
    cancel = await platform.client("subscription").post(f"/internal/subscriptions/{subscription['id']}/cancel")
    assert cancel.json()["cancelAtPeriodEnd"] is True

    before = await run(platform, ends_at - timedelta(days=7))
    at_the_end = await run(platform, ends_at)
    after = await run(platform, ends_at + timedelta(days=1))

    assert (done(before), done(at_the_end), done(after)) == ([], [("end of cancelled subscription", "CANCELLED")], [])
    ended = await subscription_of(platform, user_id)
    assert ended is not None
    assert (ended["status"], ended["cancelledAt"]) == ("CANCELLED", subscription["currentPeriodEnd"])
    mail = await platform.mail_to(ADA, subject=ENDED)
    assert f"ended on {ends_at.day} {ends_at:%B %Y}" in mail.body
    assert await platform.mails_to(ADA, subject=RENEWS) == []
    assert await charges(platform, subscription["id"]) == [(4900, "SUCCEEDED")]


async def test_at_the_period_end_the_card_is_charged_once_and_the_new_months_credits_arrive(platform: Platform) -> None:
    user_id = await member(platform)
    subscription = await started(platform, user_id)
    ends_at = at(subscription["currentPeriodEnd"])

    reports = await asyncio.gather(run(platform, ends_at), run(platform, ends_at))

    assert sorted(outcome for report in reports for _, outcome in done(report))[-1].startswith("paid; ACTIVE until")
    renewed = await subscription_of(platform, user_id)
    assert renewed is not None
    assert (renewed["status"], renewed["currentPeriodStart"]) == ("ACTIVE", subscription["currentPeriodEnd"])
    assert at(renewed["currentPeriodEnd"]) > ends_at + timedelta(days=27)
    assert await charges(platform, subscription["id"]) == [(4900, "SUCCEEDED"), (4900, "SUCCEEDED")]
    await balance_reaches(platform, user_id, 16)

    async def two_credit_notices() -> bool:
        return len(await platform.mails_to(ADA, subject=CREDITED)) == 2

    await eventually(two_credit_notices, what="a credit notice per paid month")


async def test_a_declined_renewal_makes_it_past_due_and_a_declined_retry_ends_it(platform: Platform) -> None:
    user_id = await member(platform)
    subscription = await started(platform, user_id)
    ends_at = at(subscription["currentPeriodEnd"])
    await set_card(platform, subscription["id"], "tok_chargeDeclinedExpiredCard")

    declined = await run(platform, ends_at)
    too_early = await run(platform, ends_at + timedelta(days=3) - SECOND)
    retried = await run(platform, ends_at + timedelta(days=3))

    retry_day = ends_at + timedelta(days=3)
    assert done(declined) == [
        ("renewal", f"declined (expired_card); PAST_DUE, retry on {retry_day.day} {retry_day:%B %Y}")
    ]
    assert done(too_early) == []
    assert done(retried) == [("payment retry", "declined again (expired_card); EXPIRED")]
    alert = await platform.mail_to(ADA, subject=PAYMENT_FAILED)
    assert f"We will try again on {retry_day.day} {retry_day:%B %Y}" in alert.body
    await platform.mail_to(ADA, subject=ENDED)
    ended = await subscription_of(platform, user_id)
    assert ended is not None
    assert ended["status"] == "EXPIRED"


async def test_a_trial_with_a_card_becomes_paid_and_one_without_expires(platform: Platform) -> None:
    ada = await member(platform)
    bob = await member(platform, "bob@example.com", "Bob")
    with_card = await started(platform, ada, key="ada", trial=True)
    await started(platform, bob, key="bob", trial=True, cardToken=None)

    report = await run(platform, at(with_card["trialEndsAt"]) + timedelta(minutes=1))

    outcomes = dict(done(report))
    assert outcomes["expiry"] == "EXPIRED"
    assert outcomes["trial conversion"].startswith("paid; ACTIVE until")
    converted = await subscription_of(platform, ada)
    assert converted is not None
    assert (converted["status"], converted["currentPeriodStart"]) == ("ACTIVE", with_card["trialEndsAt"])
    assert await charges(platform, with_card["id"]) == [(4900, "SUCCEEDED")]
    await balance_reaches(platform, ada, 16)
    await platform.mail_to(ADA, subject=CREDITED)
    expired = await subscription_of(platform, bob)
    assert expired is not None
    assert expired["status"] == "EXPIRED"
    await platform.mail_to("bob@example.com", subject=ENDED)


async def test_a_renewal_while_the_payment_service_is_down_fails_and_the_next_run_renews(platform: Platform) -> None:
    user_id = await member(platform)
    subscription = await started(platform, user_id)
    ends_at = at(subscription["currentPeriodEnd"])

    down = await run(platform, ends_at, payment_url=f"http://127.0.0.1:{free_port()}")
    up = await run(platform, ends_at + timedelta(hours=1))

    [failure] = down.failed
    assert (failure.job, failure.outcome.startswith("not charged, will retry")) == ("renewal", True)
    assert (await subscription_of(platform, user_id) or {})["currentPeriodStart"] != subscription["currentPeriodStart"]
    assert done(up)[0][1].startswith("paid; ACTIVE until")
    assert await charges(platform, subscription["id"]) == [(4900, "SUCCEEDED"), (4900, "SUCCEEDED")]
