"""Starting a subscription across the real services: the first month charged once, credits allocated, mails sent."""

from __future__ import annotations

import asyncio

from tests.flows.auth.platform import Platform, free_port
from tests.flows.subscription.members import (
    ACTIVATED,
    CREDITED,
    balance,
    balance_reaches,
    charges,
    member,
    outbox_settled,
    start,
    started,
    subscription_of,
)
from tests.helpers import assert_error
from tests.services.communication.smtp_server import eventually

ADA = "ada@example.com"


async def test_a_paid_start_charges_the_first_month_allocates_its_credits_and_mails_both(platform: Platform) -> None:
    user_id = await member(platform)

    subscription = await started(platform, user_id)

    assert subscription["status"] == "ACTIVE"
    assert (subscription["plan"], subscription["creditsPerMonth"]) == ("monthly-8", 8)
    assert await subscription_of(platform, user_id) == subscription
    assert await charges(platform, subscription["id"]) == [(4900, "SUCCEEDED")]
    await balance_reaches(platform, user_id, 8)
    welcome = await platform.mail_to(ADA, subject=ACTIVATED)
    assert "You receive 8 credits every month" in welcome.body
    credited = await platform.mail_to(ADA, subject=CREDITED)
    assert "8 credits were added for Solo60 Monthly 8" in credited.body


async def test_a_retried_start_charges_and_credits_once(platform: Platform) -> None:
    user_id = await member(platform)

    first, again = await asyncio.gather(start(platform, user_id, key="k"), start(platform, user_id, key="k"))

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert await charges(platform, first.json()["id"]) == [(4900, "SUCCEEDED")]
    await platform.mail_to(ADA, subject=CREDITED)
    await eventually(lambda: outbox_settled(platform), what="every queued call to be delivered")
    assert await balance(platform, user_id) == 8
    assert len(platform.smtp.received) == 2


async def test_a_declined_card_is_refused_naming_the_card_and_leaves_no_subscription(platform: Platform) -> None:
    user_id = await member(platform)

    declined = await start(platform, user_id, key="k", cardToken="tok_chargeDeclinedInsufficientFunds")

    error = assert_error(declined, 409, "CONFLICT")
    assert [(detail.field, detail.type) for detail in error.details or []] == [("body.cardToken", "insufficient_funds")]
    assert "declined" in error.message
    assert await subscription_of(platform, user_id) is None
    retried = await start(platform, user_id, key="k", cardToken="tok_mastercard")  # the same key, another card
    assert retried.status_code == 201, retried.text
    assert await charges(platform, retried.json()["id"]) == [(4900, "FAILED"), (4900, "SUCCEEDED")]
    await platform.mail_to(ADA, subject=ACTIVATED)


async def test_a_trial_needs_no_card_gets_its_credits_and_is_for_a_first_subscription_only(platform: Platform) -> None:
    user_id = await member(platform)

    trial = await started(platform, user_id, trial=True, cardToken=None)

    assert trial["status"] == "TRIALING"
    assert trial["trialEndsAt"] == trial["currentPeriodEnd"]
    await balance_reaches(platform, user_id, 8)
    await platform.mail_to(ADA, subject=ACTIVATED)
    assert await charges(platform, trial["id"]) == []
    cancelled = await platform.client("subscription").post(f"/internal/subscriptions/{trial['id']}/cancel")
    assert cancelled.status_code == 200
    again = await start(platform, user_id, key="another", trial=True)
    assert "already has a live subscription" in assert_error(again, 409, "CONFLICT").message
    await eventually(lambda: outbox_settled(platform), what="every queued call to be delivered")
    assert await platform.mails_to(ADA, subject=CREDITED) == []  # nothing was paid, so no payment notice


async def test_a_member_with_a_live_subscription_cannot_start_another_and_is_not_charged(platform: Platform) -> None:
    user_id = await member(platform)
    first = await started(platform, user_id)

    second = await start(platform, user_id, key="another")

    assert first["id"] in assert_error(second, 409, "CONFLICT").message
    assert await charges(platform, first["id"]) == [(4900, "SUCCEEDED")]


async def test_two_concurrent_starts_of_one_member_charge_once(platform: Platform) -> None:
    user_id = await member(platform)

    answers = await asyncio.gather(*(start(platform, user_id, key=f"k-{n}") for n in range(3)))

    assert sorted(answer.status_code for answer in answers) == [201, 409, 409]
    [winner] = [answer.json() for answer in answers if answer.status_code == 201]
    assert await charges(platform, winner["id"]) == [(4900, "SUCCEEDED")]


async def test_while_the_payment_service_is_down_a_start_is_503_and_nothing_is_stored(stage: Platform) -> None:
    stage.environ["PAYMENT_SERVICE_URL"] = f"http://127.0.0.1:{free_port()}"
    await stage.start(["subscription", "user", "communication"])
    user_id = await member(stage)

    response = await start(stage, user_id)

    assert "Retry with the same Idempotency-Key" in assert_error(response, 503, "UPSTREAM_UNAVAILABLE").message
    assert await subscription_of(stage, user_id) is None


async def test_a_start_while_the_mail_service_is_down_succeeds_and_the_mails_follow(stage: Platform) -> None:
    port = free_port()
    stage.environ["COMMUNICATION_SERVICE_URL"] = f"http://127.0.0.1:{port}"
    await stage.start(["subscription", "payment", "user"])
    user_id = await member(stage)

    subscription = await started(stage, user_id)

    await balance_reaches(stage, user_id, 8)  # the allocation does not wait for the mails
    assert stage.smtp.received == []
    await stage.start(["communication"], ports={"communication": port})
    await stage.mail_to(ADA, subject=ACTIVATED)
    await stage.mail_to(ADA, subject=CREDITED)
    assert subscription["status"] == "ACTIVE"
