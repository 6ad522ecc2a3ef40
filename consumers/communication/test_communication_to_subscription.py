"""What the communication service relies on from the subscription service: the events of a plan's life.

A message pact (V4 asynchronous messages): each test declares one event as communication
reads it (every field its contract requires, by type; the event's name and version as
metadata) under the provider state the subscription service needs to produce it, and hands
it to communication's real handler (`MailEvents.handle`, what its queue consumer runs), which
must queue the mail the member gets. The subscription service verifies the pact by building
each event with its own code (`subscription/messages.py`), so renaming a field it publishes,
or that communication reads, fails verification and can-i-deploy.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from consumers.communication.messages import Communication
from solo60.contracts.events.subscription import (
    CREDITS_ALLOCATED,
    PAYMENT_FAILED,
    RENEWAL_DUE,
    SUBSCRIPTION_ACTIVATED,
    SUBSCRIPTION_CANCELLED,
    TRIAL_ENDING,
    CreditsAllocated,
    PaymentFailed,
    RenewalDue,
    SubscriptionActivated,
    SubscriptionCancelled,
    TrialEnding,
)
from solo60.harness.made.contract_test import ContractTest
from solo60.harness.made.matchers import shape_of

CONSUMER = "communication"
PROVIDER = "subscription"

ADA = {"subscriptionId": "sub-1", "userId": "123"}
FACTS = {"subscription_id": "sub-1", "user_id": "123", "plan_name": "Solo60 Monthly 8"}
RENEWS = datetime(2025, 2, 1, tzinfo=UTC)


def test_an_activated_subscription_welcomes_the_member(contract: ContractTest, tmp_path: Path) -> None:
    event = SubscriptionActivated(**FACTS, monthly_credits=8, renews_at=RENEWS)
    (
        contract.message(SUBSCRIPTION_ACTIVATED, "a member's plan starts")
        .given("a user has an active subscription", ADA)
        .with_body(shape_of(event), "application/json")
    )
    communication = Communication(tmp_path, PROVIDER)
    contract.receive(communication)
    (mail,) = communication.queued
    assert (mail.subject, mail.to) == ("Welcome to Solo60 Monthly 8", "user 123")
    assert "You receive 8 credits every month.\nNext renewal: 1 February 2025." in mail.body


def test_an_ended_subscription_tells_the_member_when_it_ended(contract: ContractTest, tmp_path: Path) -> None:
    event = SubscriptionCancelled(**FACTS, ended_at=datetime(2025, 3, 1, tzinfo=UTC))
    (
        contract.message(SUBSCRIPTION_CANCELLED, "a member's plan ended")
        .given("a user has an ended subscription", ADA)
        .with_body(shape_of(event), "application/json")
    )
    communication = Communication(tmp_path, PROVIDER)
    contract.receive(communication)
    (mail,) = communication.queued
    assert mail.subject == "Your Solo60 Monthly 8 subscription has ended"
    assert "ended on 1 March 2025" in mail.body


def test_a_periods_credits_are_announced(contract: ContractTest, tmp_path: Path) -> None:
    event = CreditsAllocated(**FACTS, credits=8, period_start=datetime(2025, 1, 1, tzinfo=UTC))
    (
        contract.message(CREDITS_ALLOCATED, "a period's credits are in")
        .given("a user has an active subscription", ADA)
        .with_body(shape_of(event), "application/json")
    )
    communication = Communication(tmp_path, PROVIDER)
    contract.receive(communication)
    (mail,) = communication.queued
    assert mail.subject == "8 credits added to your balance"


def test_a_failed_renewal_payment_alerts_the_member_before_the_retry(contract: ContractTest, tmp_path: Path) -> None:
    event = PaymentFailed(**FACTS, retry_at=datetime(2025, 2, 4, tzinfo=UTC))
    (
        contract.message(PAYMENT_FAILED, "a renewal payment was declined")
        .given("a user has a past-due subscription", ADA)
        .with_body(shape_of(event), "application/json")
    )
    communication = Communication(tmp_path, PROVIDER)
    contract.receive(communication)
    (mail,) = communication.queued
    assert mail.subject == "We could not renew Solo60 Monthly 8"
    assert "We will try again on 4 February 2025;" in mail.body


def test_a_renewal_is_announced_a_week_ahead(contract: ContractTest, tmp_path: Path) -> None:
    event = RenewalDue(**FACTS, renews_at=RENEWS)
    (
        contract.message(RENEWAL_DUE, "a renewal is a week away")
        .given("a user has an active subscription", ADA)
        .with_body(shape_of(event), "application/json")
    )
    communication = Communication(tmp_path, PROVIDER)
    contract.receive(communication)
    (mail,) = communication.queued
    assert mail.subject == "Solo60 Monthly 8 renews on 1 February 2025"


def test_a_trials_end_is_announced(contract: ContractTest, tmp_path: Path) -> None:
    event = TrialEnding(**FACTS, trial_ends_at=datetime(2025, 1, 15, tzinfo=UTC))
    (
        contract.message(TRIAL_ENDING, "a free trial ends in three days")
        .given("a user has a trialing subscription", {**ADA, "trialEndsAt": "2025-01-15T00:00:00Z"})
        .with_body(shape_of(event), "application/json")
    )
    communication = Communication(tmp_path, PROVIDER)
    contract.receive(communication)
    (mail,) = communication.queued
    assert mail.subject == "Your trial ends on 15 January 2025"
