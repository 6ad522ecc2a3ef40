"""What the subscription service relies on from the communication service: the notices of a plan's life.

Each test runs subscription's own code: the function that composes the notice (`mails.py`,
or the credit allocation that announces a period's credits) queues it in subscription's
outbox, and subscription's relay handler (`deliveries.py`) hands it to `send-async` through
the generated client pointed at the Pact mock server, under the Idempotency-Key the relay
derives from the message id. The interaction is declared from what that code queued: its
template, its recipient and its variables by type. So renaming a variable in `mails.py`
changes this pact, and the communication service, whose templates name the variables they
need, fails its verification.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from solo60.clients import CommunicationClient, PaymentClient, UpstreamUnauthorized
from solo60.contracts.communication import DeliveryStatus, EmailAccepted
from solo60.contracts.errors import ErrorCode
from solo60.harness.made.consumer_database import QueuedCall, deliver, queued_calls
from solo60.harness.made.contract_test import ContractTest
from solo60.harness.made.matchers import error_body, idempotency_key, sent_mail, shape_of
from solo60.harness.made.neighbours import live_neighbours
from solo60.services.kit import PermanentFailure
from solo60.services.kit.database import Database
from solo60.services.subscription import credits, mails, storage
from solo60.services.subscription.deliveries import delivery_handlers
from solo60.services.subscription.storage import SubscriptionRow

CONSUMER = "subscription"
PROVIDER = "communication"

SEND_ASYNC = "/internal/emails/send-async"
ACCEPTED = shape_of(EmailAccepted(message_id="8c4f6c1e-2f5b-5a43-9d1e-6b7a0c3d2e11", status=DeliveryStatus.QUEUED))
MEMBER = {"userId": "123", "email": "ada@example.com"}


async def _the_notice(db: Database) -> QueuedCall:
    """The one mail subscription's code queued."""
    (mail,) = await queued_calls(db, storage.outbox, mails.SEND_EMAIL)
    return mail


async def _hand_over(
    contract: ContractTest,
    db: Database,
    call: QueuedCall,
    *,
    api_key: str | None = None,
    refused: type[Exception] | None = None,
) -> BaseException | None:
    """Subscription's relay handler sends the queued mail through the client pointed at the mock;
    with `refused`, the handler must raise that (what the relay then does with the mail)."""
    options = {"api_key": api_key} if api_key else {}
    async with contract.client(CommunicationClient, **options) as mail:
        handlers = delivery_handlers(SimpleNamespace(db=db, communication=mail, payments=None), wake=lambda: None)
        if refused is None:
            await deliver(db, storage.outbox, call, handlers)
            return None
        with pytest.raises(refused) as raised:
            await deliver(db, storage.outbox, call, handlers)
        return raised.value


async def _queued_and_accepted(contract: ContractTest, db: Database, description: str) -> None:
    """Declare the mail subscription's code queued, as it queued it, accepted; then send it."""
    call = await _the_notice(db)
    (
        contract.request(description, "POST", SEND_ASYNC)
        .given("a user can receive email", **MEMBER)
        .with_header("Idempotency-Key", idempotency_key(call.key))
        .with_body(sent_mail(call.payload["mail"]), content_type="application/json")
        .will_respond_with(202)
        .with_body(ACCEPTED, content_type="application/json")
    )
    await _hand_over(contract, db, call)
    assert await queued_calls(db, storage.outbox) == []  # handed over: the outbox entry is done


async def test_an_activated_subscription_welcomes_the_member(
    contract: ContractTest, subscription_db: Database, subscription: SubscriptionRow
) -> None:
    async with subscription_db.write() as session:
        await mails.activated(session, subscription)
    await _queued_and_accepted(contract, subscription_db, "a subscription-activated mail")


async def test_a_periods_credits_are_announced_once_allocated(
    contract: ContractTest, subscription_db: Database, subscription: SubscriptionRow, tmp_path
) -> None:
    """The allocation goes to the (live) payment service first; its handler then queues the notice."""
    async with subscription_db.write() as session:
        await credits.allocate(session, subscription, announce=True)
    (allocation,) = await queued_calls(subscription_db, storage.outbox, credits.ALLOCATE_CREDITS)
    async with live_neighbours(["payment"], tmp_path) as neighbours:
        await neighbours.given("payment", "a user has no credits", userId="123")
        async with neighbours.client(PaymentClient, caller=CONSUMER) as payments:
            runtime = SimpleNamespace(db=subscription_db, communication=None, payments=payments)
            await deliver(subscription_db, storage.outbox, allocation, delivery_handlers(runtime, wake=lambda: None))
    await _queued_and_accepted(contract, subscription_db, "a payment-success mail for a period's credits")


async def test_an_expired_subscription_tells_the_member_when_it_ended(
    contract: ContractTest, subscription_db: Database, subscription: SubscriptionRow
) -> None:
    async with subscription_db.write() as session:
        await mails.ended(session, subscription, datetime(2025, 3, 1, tzinfo=UTC))
    await _queued_and_accepted(contract, subscription_db, "a subscription-expired mail")


async def test_a_failed_renewal_payment_alerts_the_member_before_the_retry(
    contract: ContractTest, subscription_db: Database, subscription: SubscriptionRow
) -> None:
    retry_at = datetime(2025, 2, 4, tzinfo=UTC)
    async with subscription_db.write() as session:
        await mails.payment_failed(session, subscription, "payment-failed-evt-payment-failed-1", retry_at)
    await _queued_and_accepted(contract, subscription_db, "a payment-failed mail with the gateway's next attempt")


async def test_a_renewal_is_announced_a_week_ahead(
    contract: ContractTest, subscription_db: Database, subscription: SubscriptionRow
) -> None:
    async with subscription_db.write() as session:
        await mails.renewal_reminder(session, subscription)
    await _queued_and_accepted(contract, subscription_db, "a renewal reminder")


async def test_the_end_of_a_trial_is_announced_three_days_ahead(
    contract: ContractTest, subscription_db: Database, subscription: SubscriptionRow
) -> None:
    async with subscription_db.write() as session:
        await mails.trial_ending(session, subscription, datetime(2025, 1, 15, tzinfo=UTC))
    await _queued_and_accepted(contract, subscription_db, "a trial-ending mail")


async def test_a_notice_missing_a_variable_its_template_needs_is_given_up_for_good(
    contract: ContractTest, subscription_db: Database, subscription: SubscriptionRow
) -> None:
    """A reminder an older subscription service queued without the renewal date: the provider names the
    variable (400), and the relay gives the mail up (a permanent failure) instead of retrying it."""
    async with subscription_db.write() as session:
        await mails.renewal_reminder(session, subscription)
    queued = await _the_notice(subscription_db)
    mail = queued.payload["mail"]
    older = {**mail, "variables": {name: value for name, value in mail["variables"].items() if name != "renewsAt"}}
    call = QueuedCall(queued.id, queued.operation, {**queued.payload, "mail": older})
    (
        contract.request("a renewal reminder without the renewal date", "POST", SEND_ASYNC)
        .given("a user can receive email", **MEMBER)
        .with_header("Idempotency-Key", idempotency_key(call.key))
        .with_body(older, content_type="application/json")
        .will_respond_with(400)
        .with_body(error_body(ErrorCode.VALIDATION_ERROR, with_details=True), content_type="application/json")
    )
    failure = await _hand_over(contract, subscription_db, call, refused=PermanentFailure)
    assert "ValidationFailed" in str(failure)


async def test_a_notice_with_a_revoked_service_key_is_unauthorized_and_retried(
    contract: ContractTest, subscription_db: Database, subscription: SubscriptionRow
) -> None:
    """A key the provider no longer accepts is 401, which the relay retries (a key rotation in progress)."""
    async with subscription_db.write() as session:
        await mails.renewal_reminder(session, subscription)
    call = await _the_notice(subscription_db)
    (
        contract.request("a renewal reminder with a revoked service key", "POST", SEND_ASYNC, authenticated=False)
        .given("a user can receive email", **MEMBER)
        .with_header("x-api-key", "a-revoked-key")
        .with_header("Idempotency-Key", idempotency_key(call.key))
        .with_body(sent_mail(call.payload["mail"]), content_type="application/json")
        .will_respond_with(401)
        .with_body(error_body(ErrorCode.UNAUTHORIZED), content_type="application/json")
    )
    await _hand_over(contract, subscription_db, call, api_key="a-revoked-key", refused=UpstreamUnauthorized)
    assert await queued_calls(subscription_db, storage.outbox) == [call]  # still queued, for the next attempt
