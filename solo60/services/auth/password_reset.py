"""Password reset: a single-use link by mail, then the new password with that link's token.

The request answers the same for every address, mail or no mail, so it cannot tell anyone
whether an address has an account. The confirmation changes the hash and revokes every
access token in one transaction, and queues the user service's `passwordChangedAt` and the
confirmation mail with it.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from solo60.clients import UpstreamNotFound, UserClient
from solo60.contracts.auth import (
    PasswordChanged,
    PasswordResetAccepted,
    PasswordResetConfirmation,
    PasswordResetRequest,
)
from solo60.contracts.communication import TemplateKey
from solo60.contracts.user import UpdateUser, User
from solo60.services.auth import accounts, passwords, storage
from solo60.services.auth.mail_outbox import enqueue_mail, enqueue_user_update, greeting
from solo60.services.auth.runtime import AuthRuntime
from solo60.services.auth.spent_tokens import refusal
from solo60.services.auth.tokens import Purpose, token_digest
from solo60.services.kit import Reply, once_per_key
from solo60.services.kit.upstreams import required

LINK_LIFETIME_MINUTES = int(accounts.ONE_TIME_TOKEN_LIFETIMES[Purpose.PASSWORD_RESET].total_seconds() // 60)
ACCEPTED = PasswordResetAccepted(
    message="If the address belongs to an account, a reset link is on its way.",
    expires_in_minutes=LINK_LIFETIME_MINUTES,
)


async def request_reset(runtime: AuthRuntime, body: PasswordResetRequest, idempotency_key: str) -> Reply:
    users = required(runtime.users, "user")

    async def work(session: AsyncSession) -> PasswordResetAccepted:
        user = await _member(users, body.email)
        if user is None or await storage.find_credentials(session, user.id) is None:
            return ACCEPTED
        issued = await accounts.issue_one_time_token(session, user_id=user.id, purpose=Purpose.PASSWORD_RESET)
        await enqueue_mail(
            session,
            message_id=f"password-reset-{token_digest(issued.token)[:40]}",
            template=TemplateKey.PASSWORD_RESET,
            user_id=user.id,
            variables={
                "name": greeting(user.name),
                "resetUrl": runtime.links.reset_password(issued.token),
                "expiresInMinutes": LINK_LIFETIME_MINUTES,
            },
            carries_token=True,
        )
        return ACCEPTED

    reply = await once_per_key(
        runtime.db,
        storage.idempotency_records,
        operation="password-reset",
        key=idempotency_key,
        request={"email": storage.email_key(body.email)},
        status=202,
        work=work,
    )
    runtime.relay.wake()
    return reply


async def confirm_reset(runtime: AuthRuntime, body: PasswordResetConfirmation, idempotency_key: str) -> Reply:
    password_hash = await passwords.hash_password(body.password)  # slow: never inside the transaction
    digest = token_digest(body.token)

    async def work(session: AsyncSession) -> PasswordChanged:
        reset = await accounts.reset_password(session, token=body.token, password_hash=password_hash)
        if reset is None:
            raise await refusal(session, body.token, Purpose.PASSWORD_RESET)
        await enqueue_user_update(
            session,
            message_id=f"password-reset-{digest[:40]}-user",
            user_id=reset.user_id,
            changes=UpdateUser(password_changed_at=reset.changed_at),
        )
        await enqueue_mail(
            session,
            message_id=f"password-reset-{digest[:40]}-done",
            template=TemplateKey.PASSWORD_RESET_CONFIRMATION,
            user_id=reset.user_id,
        )
        return PasswordChanged(user_id=reset.user_id, password_changed_at=reset.changed_at)

    reply = await once_per_key(
        runtime.db,
        storage.idempotency_records,
        operation="password-reset-confirm",
        key=idempotency_key,
        request={"token": digest},  # never the password
        status=200,
        work=work,
    )
    runtime.relay.wake()
    return reply


async def _member(users: UserClient, email: str) -> User | None:
    try:
        return await users.get_user_by_email(email=email)
    except UpstreamNotFound:
        return None
