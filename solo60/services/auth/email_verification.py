"""Email verification: the mailed token proves the address; the user service records it.

The user service is told first, while the token is still unspent, so an outage there
answers 503 and leaves the link usable; marking verified twice is harmless (PATCH). The
token is then spent and the ACCOUNT_VERIFICATION mail queued in one transaction.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from solo60.clients import UpstreamNotFound, UserClient
from solo60.contracts.auth import EmailVerified, VerifyEmail
from solo60.contracts.communication import TemplateKey
from solo60.contracts.user import UpdateUser, User
from solo60.services.auth import accounts, storage
from solo60.services.auth.mail_outbox import enqueue_mail, greeting
from solo60.services.auth.runtime import AuthRuntime
from solo60.services.auth.spent_tokens import redeemable, refusal
from solo60.services.auth.tokens import Purpose, token_digest
from solo60.services.kit import NotFound, Reply, once_per_key
from solo60.services.kit.upstreams import required


async def verify_email(runtime: AuthRuntime, body: VerifyEmail, idempotency_key: str) -> Reply:
    async def work(session: AsyncSession) -> EmailVerified:
        token = await redeemable(session, body.token, Purpose.EMAIL_VERIFICATION)
        user = await _mark_verified(required(runtime.users, "user"), token.user_id)
        if await accounts.verify_email(session, body.token) is None:
            raise await refusal(session, body.token, Purpose.EMAIL_VERIFICATION)
        await enqueue_mail(
            session,
            message_id=f"email-verified-{user.id}",
            template=TemplateKey.ACCOUNT_VERIFICATION,
            user_id=user.id,
            variables={"name": greeting(user.name), "verificationUrl": runtime.links.account()},
        )
        return EmailVerified(user_id=user.id, email_verified=user.email_verified)

    reply = await once_per_key(
        runtime.db,
        storage.idempotency_records,
        operation="verify-email",
        key=idempotency_key,
        request={"token": token_digest(body.token)},
        status=200,
        work=work,
    )
    runtime.relay.wake()
    return reply


async def _mark_verified(users: UserClient, user_id: str) -> User:
    try:
        return await users.update_user(user_id, UpdateUser(email_verified=True))
    except UpstreamNotFound:
        raise NotFound("The account this link was sent for no longer exists.") from None
