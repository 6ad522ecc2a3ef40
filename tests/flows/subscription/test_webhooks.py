"""The gateway's events across the real services: the member hears of a failed payment and a trial's end, once."""

from __future__ import annotations

from tests.flows.auth.platform import Platform
from tests.flows.subscription.members import PAYMENT_FAILED, member, outbox_settled, started
from tests.services.communication.smtp_server import eventually

ADA = "ada@example.com"
TRIAL_ENDS = "Your trial ends on"


async def test_a_failed_renewal_makes_the_subscription_past_due_and_mails_the_member_once(platform: Platform) -> None:
    user_id = await member(platform)
    subscription = await started(platform, user_id)
    subscriptions = platform.client("subscription")
    event = {
        "eventId": "evt-1",
        "subscriptionId": subscription["id"],
        "occurredAt": "2025-02-01T00:05:00Z",
        "failureCode": "card_declined",
        "nextAttemptAt": "2025-02-04T00:05:00Z",
    }

    first = await subscriptions.post("/internal/subscriptions/webhooks/payment-failed", json=event)
    redelivered = await subscriptions.post("/internal/subscriptions/webhooks/payment-failed", json=event)

    assert first.json()["outcome"] == "MARKED_PAST_DUE"
    assert redelivered.json() == first.json()
    mail = await platform.mail_to(ADA, subject=PAYMENT_FAILED)
    assert "We will try again on 4 February 2025" in mail.body
    await eventually(lambda: outbox_settled(platform), what="every queued call to be delivered")
    assert len(await platform.mails_to(ADA, subject=PAYMENT_FAILED)) == 1


async def test_a_second_failure_is_a_second_mail(platform: Platform) -> None:
    user_id = await member(platform)
    subscription = await started(platform, user_id)
    subscriptions = platform.client("subscription")

    for number in (1, 2):
        event = {"eventId": f"evt-{number}", "subscriptionId": subscription["id"], "occurredAt": "2025-02-01T00:05:00Z"}
        response = await subscriptions.post("/internal/subscriptions/webhooks/payment-failed", json=event)
        assert response.status_code == 200, response.text

    async def two_alerts() -> bool:
        return len(await platform.mails_to(ADA, subject=PAYMENT_FAILED)) == 2

    await eventually(two_alerts, what="one alert per failed payment")


async def test_the_gateways_trial_ending_notice_mails_the_member_once(platform: Platform) -> None:
    user_id = await member(platform)
    trial = await started(platform, user_id, trial=True, cardToken=None)
    subscriptions = platform.client("subscription")
    event = {
        "eventId": "evt-t1",
        "subscriptionId": trial["id"],
        "trialEndsAt": trial["trialEndsAt"],
        "occurredAt": trial["createdAt"],
    }

    for _ in range(2):
        response = await subscriptions.post("/internal/subscriptions/webhooks/trial-ending", json=event)
        assert response.json()["outcome"] == "TRIAL_ENDING_RECORDED"

    mail = await platform.mail_to(ADA, subject=TRIAL_ENDS)
    assert "Your free trial of Solo60 Monthly 8 ends on" in mail.body
    await eventually(lambda: outbox_settled(platform), what="every queued call to be delivered")
    assert len(await platform.mails_to(ADA, subject=TRIAL_ENDS)) == 1
