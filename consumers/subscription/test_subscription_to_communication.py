"""What the subscription service relies on from the communication service: the notices of a plan's life.

Activation, the credits of a period, expiry, a failed payment, the renewal reminder (7 days
ahead) and the end of a trial (3 days ahead) are each recorded in the subscription outbox and
queued through `send-async` to the member's userId, with the Idempotency-Key
`outbox-subscription-<id>-<what happened>`, so a job run twice, or a relay retrying, mails once.
"""

from __future__ import annotations

from typing import Any

import pytest
from pact import match

from solo60.clients import CommunicationClient, Unauthorized, ValidationFailed
from solo60.contracts.communication import DeliveryStatus, EmailAccepted, Recipient, SendEmail, TemplateKey
from solo60.contracts.errors import ErrorCode
from solo60.harness.made.contract_test import ContractTest
from solo60.harness.made.matchers import error_body, idempotency_key, identifier, shape_of

CONSUMER = "subscription"
PROVIDER = "communication"

SEND_ASYNC = "/internal/emails/send-async"
ACCEPTED = shape_of(EmailAccepted(message_id="8c4f6c1e-2f5b-5a43-9d1e-6b7a0c3d2e11", status=DeliveryStatus.QUEUED))
MEMBER = {"userId": "123", "email": "ada@example.com"}
RENEWAL_KEY = "outbox-subscription-sub-1-renewal-reminder-20250201T000000Z"
PLAN = "Solo60 Monthly 8"


def _values(variables: dict[str, Any]) -> dict[str, Any]:
    """Each variable by its type: the pact pins which variables go, not what a plan is called."""
    return {name: match.int(value) if isinstance(value, int) else match.str(value) for name, value in variables.items()}


async def _notify(contract: ContractTest, description: str, template: TemplateKey, variables: dict, key: str) -> None:
    (
        contract.request(description, "POST", SEND_ASYNC)
        .given("a user can receive email", **MEMBER)
        .with_header("Idempotency-Key", idempotency_key(key))
        .with_body(
            {"templateKey": template.value, "to": {"userId": identifier("123")}, "variables": _values(variables)},
            content_type="application/json",
        )
        .will_respond_with(202)
        .with_body(ACCEPTED, content_type="application/json")
    )
    mail = SendEmail(template_key=template, to=Recipient(user_id="123"), variables=variables)
    async with contract.client(CommunicationClient) as mails:
        accepted = await mails.send_email_async(mail, idempotency_key=key)
    assert accepted.status is DeliveryStatus.QUEUED
    assert accepted.message_id


async def test_an_activated_subscription_welcomes_the_member(contract: ContractTest) -> None:
    await _notify(
        contract,
        "a subscription-activated mail",
        TemplateKey.SUBSCRIPTION_ACTIVATED,
        {"planName": PLAN, "monthlyCredits": 8, "renewsAt": "1 February 2025"},
        "outbox-subscription-sub-1-activated",
    )


async def test_a_periods_credits_are_announced_once_allocated(contract: ContractTest) -> None:
    await _notify(
        contract,
        "a payment-success mail for a period's credits",
        TemplateKey.PAYMENT_SUCCESS,
        {"credits": 8, "planName": PLAN},
        "outbox-subscription-sub-1-credited-20250201T000000Z",
    )


async def test_an_expired_subscription_tells_the_member_when_it_ended(contract: ContractTest) -> None:
    await _notify(
        contract,
        "a subscription-expired mail",
        TemplateKey.SUBSCRIPTION_EXPIRED,
        {"planName": PLAN, "endedAt": "1 March 2025"},
        "outbox-subscription-sub-1-ended",
    )


async def test_a_failed_renewal_payment_alerts_the_member_before_the_retry(contract: ContractTest) -> None:
    await _notify(
        contract,
        "a payment-failed mail with the gateway's next attempt",
        TemplateKey.PAYMENT_FAILED,
        {"planName": PLAN, "retryAt": "on 4 February 2025"},
        "outbox-subscription-sub-1-payment-failed-evt-payment-failed-1",
    )


async def test_a_renewal_is_announced_a_week_ahead(contract: ContractTest) -> None:
    await _notify(
        contract,
        "a renewal reminder",
        TemplateKey.RENEWAL_REMINDER,
        {"planName": PLAN, "renewsAt": "1 February 2025"},
        RENEWAL_KEY,
    )


async def test_the_end_of_a_trial_is_announced_three_days_ahead(contract: ContractTest) -> None:
    await _notify(
        contract,
        "a trial-ending mail",
        TemplateKey.TRIAL_ENDING,
        {"planName": PLAN, "trialEndsAt": "15 January 2025"},
        "outbox-subscription-sub-1-trial-ending-20250115T000000Z",
    )


async def test_a_notice_missing_a_variable_its_template_needs_is_refused_naming_it(contract: ContractTest) -> None:
    """The client cannot know a template's variables; the provider names the one left out."""
    (
        contract.request("a renewal reminder without the renewal date", "POST", SEND_ASYNC)
        .given("a user can receive email", **MEMBER)
        .with_header("Idempotency-Key", idempotency_key(RENEWAL_KEY))
        .with_body(
            {"templateKey": "RENEWAL_REMINDER", "to": {"userId": "123"}, "variables": {"planName": PLAN}},
            content_type="application/json",
        )
        .will_respond_with(400)
        .with_body(error_body(ErrorCode.VALIDATION_ERROR, with_details=True), content_type="application/json")
    )
    mail = SendEmail(
        template_key=TemplateKey.RENEWAL_REMINDER, to=Recipient(user_id="123"), variables={"planName": PLAN}
    )
    async with contract.client(CommunicationClient) as mails:
        with pytest.raises(ValidationFailed) as refused:
            await mails.send_email_async(mail, idempotency_key=RENEWAL_KEY)
    assert refused.value.details


async def test_a_notice_with_a_revoked_service_key_is_unauthorized(contract: ContractTest) -> None:
    (
        contract.request("a renewal reminder with a revoked service key", "POST", SEND_ASYNC, authenticated=False)
        .given("a user can receive email", **MEMBER)
        .with_header("x-api-key", "a-revoked-key")
        .with_header("Idempotency-Key", idempotency_key(RENEWAL_KEY))
        .with_body(
            {
                "templateKey": "RENEWAL_REMINDER",
                "to": {"userId": identifier("123")},
                "variables": _values({"planName": PLAN, "renewsAt": "1 February 2025"}),
            },
            content_type="application/json",
        )
        .will_respond_with(401)
        .with_body(error_body(ErrorCode.UNAUTHORIZED), content_type="application/json")
    )
    mail = SendEmail(
        template_key=TemplateKey.RENEWAL_REMINDER,
        to=Recipient(user_id="123"),
        variables={"planName": PLAN, "renewsAt": "1 February 2025"},
    )
    async with contract.client(CommunicationClient, api_key="a-revoked-key") as mails:
        with pytest.raises(Unauthorized):
            await mails.send_email_async(mail, idempotency_key=RENEWAL_KEY)
