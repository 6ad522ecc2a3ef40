"""What the account flows send after their main change: mails and user updates, through the outbox.

Each is enqueued in the flow's own transaction with a message id derived from the action, and
delivered by the Runtime's relay with the key the relay gives it, so a redelivery has no
second effect. A mail that carries a single-use token is the one place that token exists in
clear: once the communication service has accepted the mail (or refused it for good), the
token is scrubbed from the outbox payload, and a payload found scrubbed means "already
handed over" (the relay died before recording the delivery).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from solo60.clients import CommunicationClient, UserClient
from solo60.contracts.communication import Recipient, SendEmail, TemplateKey
from solo60.contracts.user import UpdateUser
from solo60.services.auth import storage
from solo60.services.kit import Database, PermanentFailure, call_or_refuse, enqueue
from solo60.services.kit.outbox import Deliver
from solo60.services.kit.upstreams import for_delivery

SEND_EMAIL = "send-email"
UPDATE_USER = "update-user"
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]+")


def greeting(name: str) -> str:
    """A name as a mail may greet it: the user service may hold one with control characters, mail may not."""
    return " ".join(_CONTROL_CHARACTERS.sub(" ", name).split())[:200] or "there"


class Deliveries(Protocol):
    """What the handlers need from the Runtime (clients may be missing until configured)."""

    db: Database
    users: UserClient | None
    communication: CommunicationClient | None


async def enqueue_mail(
    session: AsyncSession,
    *,
    message_id: str,
    template: TemplateKey,
    user_id: str,
    variables: Mapping[str, str | int] | None = None,
    carries_token: bool = False,
) -> None:
    """Queue a mail to the user (the communication service resolves the address) in the caller's transaction."""
    mail = SendEmail(template_key=template, to=Recipient(user_id=user_id), variables=dict(variables or {}))
    payload = {
        "messageId": message_id,
        "mail": mail.model_dump(mode="json", exclude_unset=True),
        "carriesToken": carries_token,
    }
    await enqueue(session, storage.outbox, SEND_EMAIL, payload, message_id=message_id)


async def enqueue_user_update(session: AsyncSession, *, message_id: str, user_id: str, changes: UpdateUser) -> None:
    payload = {"userId": user_id, "changes": changes.model_dump(mode="json", exclude_unset=True)}
    await enqueue(session, storage.outbox, UPDATE_USER, payload, message_id=message_id)


def delivery_handlers(runtime: Deliveries) -> dict[str, Deliver]:
    """One handler per operation the account flows enqueue."""

    async def send_email(payload: dict[str, Any], key: str) -> None:
        if payload.get("scrubbed"):
            return  # handed over before; only the relay's record of it was lost
        client = for_delivery(runtime.communication, "communication")
        mail = SendEmail.model_validate_json(json.dumps(payload["mail"]))
        try:
            await call_or_refuse(client.send_email_async(mail, idempotency_key=key))
        except PermanentFailure:
            await _scrub(runtime.db, payload)
            raise
        await _scrub(runtime.db, payload)

    async def update_user(payload: dict[str, Any], key: str) -> None:
        client = for_delivery(runtime.users, "user")
        changes = UpdateUser.model_validate_json(json.dumps(payload["changes"]))
        await call_or_refuse(client.update_user(payload["userId"], changes))  # PATCH: idempotent without a key

    return {SEND_EMAIL: send_email, UPDATE_USER: update_user}


async def _scrub(db: Database, payload: Mapping[str, Any]) -> None:
    """Forget the token a mail carried: after this only the member's mailbox has it."""
    if not payload.get("carriesToken"):
        return
    kept = {"messageId": payload["messageId"], "templateKey": payload["mail"]["templateKey"], "scrubbed": True}
    table = storage.outbox
    async with db.write() as session:
        await session.execute(table.update().where(table.c.id == payload["messageId"]).values(payload=kept))
