"""The communication service's client, written by `solo60 codegen` from `solo60/contracts/communication.py`."""

from __future__ import annotations

from solo60.clients._base import ServiceClient
from solo60.contracts.communication import (
    CommunicationServiceContract,
    EmailAccepted,
    EmailDelivery,
    SendEmail,
    SendSystemNotification,
    SystemNotification,
)


class CommunicationClient(ServiceClient):
    """Calls the Solo60 communication service. Transactional email (now, or through an outbox with retries) and
    in-app system notifications.
    """

    service = "communication"

    async def send_email(self, body: SendEmail, *, idempotency_key: str | None = None) -> EmailDelivery:
        """Send a transactional email now.

        Renders the template and hands the mail to the mail server before answering. When the mail server (or, for
        `to.userId`, the user service) is unreachable the answer is 503 and nothing is recorded as sent: retry with
        the same `Idempotency-Key`. An unknown `to.userId` is 404; an address the mail server refuses for good is
        400.

        Every template also takes the optional `name` (the greeting). A missing required variable is a 400 naming it
        (`body.variables.<name>`); variables a template does not use are ignored.

        | templateKey | required variables | optional variables |
        | --- | --- | --- |
        | `SESSION_APPROVAL_REQUEST` | `memberName`, `gymName`, `startsAt`, `sessionId` | `name`, `guests` |
        | `SESSION_APPROVED` | `gymName`, `startsAt` | `name` |
        | `SESSION_REJECTED` | `gymName`, `startsAt` | `name`, `reason` |
        | `SESSION_CANCELLED` | `gymName`, `startsAt` | `name`, `reason` |
        | `GUEST_INVITATION` | `hostName`, `gymName`, `startsAt` | `name` |
        | `NOISE_WARNING` | `gymName`, `startsAt` | `name` |
        | `SPOT_AVAILABLE` | `gymName`, `startsAt` | `name` |
        | `SUBSCRIPTION_ACTIVATED` | `planName`, `monthlyCredits` | `name`, `renewsAt` |
        | `SUBSCRIPTION_EXPIRED` | `planName`, `endedAt` | `name` |
        | `PAYMENT_SUCCESS` | `credits` | `name`, `planName` |
        | `PAYMENT_FAILED` | `planName` | `name`, `retryAt` |
        | `RENEWAL_REMINDER` | `planName`, `renewsAt` | `name` |
        | `TRIAL_ENDING` | `trialEndsAt` | `name`, `planName` |
        | `EMAIL_CONFIRMATION` | `confirmationUrl` | `name` |
        | `PASSWORD_RESET` | `resetUrl` | `name`, `expiresInMinutes` |
        | `PASSWORD_RESET_CONFIRMATION` | - | `name` |
        | `ACCOUNT_VERIFICATION` | `verificationUrl` | `name` |
        """
        return await self._call(CommunicationServiceContract.send_email, body=body, idempotency_key=idempotency_key)

    async def send_email_async(self, body: SendEmail, *, idempotency_key: str | None = None) -> EmailAccepted:
        """Queue a transactional email for delivery in the background.

        Stores the message in the outbox and answers 202 at once. A dispatcher delivers it, retrying with exponential
        backoff while the mail server or the user service is unavailable, and marks it FAILED with the error after
        the last attempt (at once for an unknown user or a refused address).

        Every template also takes the optional `name` (the greeting). A missing required variable is a 400 naming it
        (`body.variables.<name>`); variables a template does not use are ignored.

        | templateKey | required variables | optional variables |
        | --- | --- | --- |
        | `SESSION_APPROVAL_REQUEST` | `memberName`, `gymName`, `startsAt`, `sessionId` | `name`, `guests` |
        | `SESSION_APPROVED` | `gymName`, `startsAt` | `name` |
        | `SESSION_REJECTED` | `gymName`, `startsAt` | `name`, `reason` |
        | `SESSION_CANCELLED` | `gymName`, `startsAt` | `name`, `reason` |
        | `GUEST_INVITATION` | `hostName`, `gymName`, `startsAt` | `name` |
        | `NOISE_WARNING` | `gymName`, `startsAt` | `name` |
        | `SPOT_AVAILABLE` | `gymName`, `startsAt` | `name` |
        | `SUBSCRIPTION_ACTIVATED` | `planName`, `monthlyCredits` | `name`, `renewsAt` |
        | `SUBSCRIPTION_EXPIRED` | `planName`, `endedAt` | `name` |
        | `PAYMENT_SUCCESS` | `credits` | `name`, `planName` |
        | `PAYMENT_FAILED` | `planName` | `name`, `retryAt` |
        | `RENEWAL_REMINDER` | `planName`, `renewsAt` | `name` |
        | `TRIAL_ENDING` | `trialEndsAt` | `name`, `planName` |
        | `EMAIL_CONFIRMATION` | `confirmationUrl` | `name` |
        | `PASSWORD_RESET` | `resetUrl` | `name`, `expiresInMinutes` |
        | `PASSWORD_RESET_CONFIRMATION` | - | `name` |
        | `ACCOUNT_VERIFICATION` | `verificationUrl` | `name` |
        """
        return await self._call(
            CommunicationServiceContract.send_email_async,
            body=body,
            idempotency_key=idempotency_key,
        )

    async def get_email(self, message_id: str) -> EmailDelivery:
        """Read a message's delivery status."""
        return await self._call(CommunicationServiceContract.get_email, path={"message_id": message_id})

    async def send_system_notification(self, body: SendSystemNotification) -> SystemNotification:
        """Store an in-app system notification for a user."""
        return await self._call(CommunicationServiceContract.send_system_notification, body=body)
