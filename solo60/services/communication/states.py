"""Provider states of the communication service, as its consumers (session, subscription, auth) name them.

Addresses of users are seeded into the recipient cache, which is what the service consults
before the user service: verifying the communication service needs no user service running.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import Field

from solo60.contracts.communication import TEMPLATE_VARIABLES, DeliveryStatus, MailboxAddress, TemplateKey
from solo60.services.communication import storage, templates
from solo60.services.kit import ProviderStates, StateParams

states = ProviderStates("communication")

SEEDED_FOR = timedelta(days=1)
"""How long a seeded cache entry stays fresh: longer than any verification run."""


class UserCanReceiveEmail(StateParams):
    user_id: str = Field(default="123", alias="userId", min_length=1, max_length=64)
    email: MailboxAddress = "ada@example.com"


class UserDoesNotExist(StateParams):
    user_id: str = Field(default="999", alias="userId", min_length=1, max_length=64)


class EmailWasQueued(StateParams):
    message_id: str = Field(default="msg-123", alias="messageId", min_length=1, max_length=64)
    status: DeliveryStatus = DeliveryStatus.QUEUED
    attempts: int = Field(default=0, ge=0, le=100)
    template_key: TemplateKey = Field(default=TemplateKey.SESSION_APPROVED, alias="templateKey")
    last_error: str | None = Field(default=None, alias="lastError", max_length=1000)
    user_id: str = Field(default="123", alias="userId", min_length=1, max_length=64)


@states.state(
    "a user can receive email",
    params=UserCanReceiveEmail,
    operations=(
        "POST /internal/emails/send",
        "POST /internal/emails/send-async",
        "POST /internal/notifications/system",
    ),
)
async def a_user_can_receive_email(runtime: Any, params: UserCanReceiveEmail) -> dict[str, Any]:
    """The user `userId` has the address `email`: sends to `{"userId": ...}` reach it."""
    await runtime.mail.recipients.remember(params.user_id, params.email, ttl=SEEDED_FOR)
    return {"userId": params.user_id, "email": params.email}


@states.state("a user does not exist", params=UserDoesNotExist)
async def a_user_does_not_exist(runtime: Any, params: UserDoesNotExist) -> dict[str, Any]:
    """No user has the id `userId`: a send to it is 404, a queued mail to it ends FAILED."""
    await runtime.mail.recipients.remember(params.user_id, None, ttl=SEEDED_FOR)
    return {"userId": params.user_id}


@states.state("an email was queued", params=EmailWasQueued, operations=("GET /internal/emails/{messageId}",))
async def an_email_was_queued(runtime: Any, params: EmailWasQueued) -> dict[str, Any]:
    """A message `messageId` to `userId` in `status` after `attempts` attempts (QUEUED, next attempt in an hour)."""
    status = params.status
    queued = status is DeliveryStatus.QUEUED
    attempts = params.attempts if queued else max(params.attempts, 1)
    max_attempts = max(runtime.config.max_attempts, attempts + 1 if queued else attempts)
    last_error = params.last_error
    if last_error is None and (status is DeliveryStatus.FAILED or (queued and attempts > 0)):
        last_error = "the mail server deferred the message: 451 4.3.0 try again later"
    mail = templates.render(params.template_key, _sample_variables(params.template_key))
    async with runtime.db.write() as session:
        await storage.replace_message(
            session,
            params.message_id,
            storage.Mail(
                template_key=params.template_key.value,
                subject=mail.subject,
                body=mail.body,
                recipient_user_id=params.user_id,
            ),
            status=status.value,
            attempts=attempts,
            max_attempts=max_attempts,
            last_error=last_error,
            # A queued one waits an hour, so a running relay leaves it as the consumer expects it.
            next_attempt_in=timedelta(hours=1) if queued else timedelta(0),
        )
    return {"messageId": params.message_id, "status": status.value, "attempts": attempts}


@states.state("no email was queued")
async def no_email_was_queued(runtime: Any, params: None) -> None:
    """No messages at all: reading any messageId is 404."""


def _sample_variables(template_key: TemplateKey) -> dict[str, str]:
    return {name: f"<{name}>" for name in TEMPLATE_VARIABLES[template_key].required}
