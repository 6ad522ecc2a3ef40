"""The communication service's implementation of its contract."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from solo60.clients import ServiceCallError
from solo60.contracts.communication import (
    CommunicationServiceContract,
    DeliveryStatus,
    EmailAccepted,
    EmailDelivery,
    Recipient,
    SendEmail,
    SendSystemNotification,
    SystemNotification,
)
from solo60.contracts.errors import FieldError
from solo60.services.communication import storage, templates
from solo60.services.communication.letters import compose, is_mailbox_address
from solo60.services.communication.mail_transport import MailRejected, MailServerUnavailable
from solo60.services.communication.recipients import DirectoryUnavailable, UnknownRecipient
from solo60.services.kit import (
    CallInfo,
    DependencyUnavailable,
    NotFound,
    Reply,
    ServiceError,
    ServiceRoutes,
    ValidationFailed,
    implements,
    once_per_key,
)
from solo60.services.kit.idempotency import fingerprint
from solo60.services.kit.upstreams import upstream_failure

api = CommunicationServiceContract

MESSAGE_ID_NAMESPACE = uuid.UUID("6f1c1a52-0d8e-4f0e-9a57-3c2b8d1e5f60")


def stable_message_id(operation: str, idempotency_key: str, body: SendEmail) -> str:
    """The same logical request (key and body) always names the same message, across retries and crashes."""
    name = "\n".join([operation, idempotency_key, fingerprint(body.model_dump(mode="json"))])
    return str(uuid.uuid5(MESSAGE_ID_NAMESPACE, name))


class CommunicationRoutes(ServiceRoutes):
    contract = CommunicationServiceContract

    @implements(api.send_email)
    async def send_email(self, body: SendEmail, idempotency_key: str, call: CallInfo) -> Reply:
        mail = _render(body)
        message_id = stable_message_id(api.send_email.name, idempotency_key, body)
        # Resolved before the transaction (no user-service call while holding the database); a
        # failure is raised inside it, so a replay of an earlier success still gets its stored answer.
        resolved = await self._resolve(body.to)

        async def work(session: AsyncSession) -> EmailDelivery:
            if isinstance(resolved, ServiceError):
                raise resolved
            await self._send_now(message_id, resolved, mail)
            await storage.record_sent(session, message_id, _as_stored(mail, body, call))
            return await self._delivery(session, message_id)

        return await once_per_key(
            self.runtime.db,
            storage.idempotency_records,
            operation=api.send_email.name,
            key=idempotency_key,
            request=body,
            status=201,
            work=work,
        )

    @implements(api.send_email_async)
    async def send_email_async(self, body: SendEmail, idempotency_key: str, call: CallInfo) -> Reply:
        mail = _render(body)
        message_id = stable_message_id(api.send_email_async.name, idempotency_key, body)

        async def work(session: AsyncSession) -> EmailAccepted:
            stored = _as_stored(mail, body, call)
            await storage.queue_mail(session, message_id, stored, max_attempts=self.runtime.config.max_attempts)
            return EmailAccepted(message_id=message_id, status=DeliveryStatus.QUEUED)

        reply = await once_per_key(
            self.runtime.db,
            storage.idempotency_records,
            operation=api.send_email_async.name,
            key=idempotency_key,
            request=body,
            status=202,
            work=work,
        )
        self.runtime.message_queued()
        return reply

    @implements(api.get_email)
    async def get_email(self, message_id: str) -> EmailDelivery:
        async with self.runtime.db.read() as session:
            return await self._delivery(session, message_id)

    async def _delivery(self, session: AsyncSession, message_id: str) -> EmailDelivery:
        record = await storage.find_message(session, message_id, max_attempts=self.runtime.config.max_attempts)
        if record is None:
            raise NotFound(f"Message {message_id!r} does not exist.")
        return EmailDelivery.model_validate(record, from_attributes=True)

    @implements(api.send_system_notification)
    async def send_system_notification(self, body: SendSystemNotification) -> SystemNotification:
        async with self.runtime.db.write() as session:
            row = await storage.add_notification(
                session,
                id=str(uuid.uuid4()),
                user_id=body.user_id,
                category=body.category,
                title=body.title,
                message=body.message,
                data=dict(body.data),
            )
            return SystemNotification.model_validate(row, from_attributes=True)

    async def _resolve(self, to: Recipient) -> str | ServiceError:
        if to.email is not None:
            return to.email
        assert to.user_id is not None
        try:
            address = await self.runtime.mail.recipients.email_of(to.user_id)
        except UnknownRecipient:
            return NotFound(f"User {to.user_id!r} does not exist, so no email can be sent to them.")
        except DirectoryUnavailable as error:
            if isinstance(error.__cause__, ServiceCallError):
                return upstream_failure(error.__cause__)
            return DependencyUnavailable(f"The user service is unavailable to resolve user {to.user_id!r}: {error}")
        if not is_mailbox_address(address):
            return _refused(f"User {to.user_id!r} has an address mail cannot be sent to.")
        return address

    async def _send_now(self, message_id: str, recipient: str, mail: templates.RenderedMail) -> None:
        config = self.runtime.config
        message = compose(
            message_id=message_id,
            sender=config.mail_from,
            recipient=recipient,
            subject=mail.subject,
            body=mail.body,
            template_key=mail.template_key.value,
        )
        try:
            async with asyncio.timeout(config.delivery_deadline.total_seconds()):
                await self.runtime.mail.transport.send(message)
        except MailServerUnavailable as error:
            raise DependencyUnavailable(f"The mail server is unavailable; nothing was sent: {error}") from None
        except TimeoutError:
            raise DependencyUnavailable(
                "The mail server did not answer in time; nothing was recorded as sent."
            ) from None
        except MailRejected as error:
            raise _refused(f"The mail server refused the message: {error}") from None


def _as_stored(mail: templates.RenderedMail, body: SendEmail, call: CallInfo) -> storage.Mail:
    return storage.Mail(
        template_key=mail.template_key.value,
        subject=mail.subject,
        body=mail.body,
        recipient_user_id=body.to.user_id,
        recipient_email=body.to.email,
        requested_by=call.caller,
    )


def _render(body: SendEmail) -> templates.RenderedMail:
    try:
        return templates.render(body.template_key, body.variables)
    except templates.MissingVariables as error:
        raise ValidationFailed(
            f"Invalid request: template {error.template_key.value} needs {', '.join(error.names)}.",
            details=[
                FieldError(
                    field=f"body.variables.{name}",
                    message=f"template {error.template_key.value} needs the variable {name}",
                    type="missing",
                )
                for name in error.names
            ],
        ) from None


def _refused(message: str) -> ValidationFailed:
    return ValidationFailed(
        f"Invalid request: {message}", details=[FieldError(field="body.to", message=message, type="refused")]
    )
