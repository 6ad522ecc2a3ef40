"""Signup: the user is created in the user service, the credentials kept here, a confirmation link mailed.

The user service call is synchronous (the account depends on its answer); the mail goes
through the outbox in the same transaction as the credentials, so a mail outage delays the
mail and never the signup. The user service and this database cannot change together: if
auth fails after the user was created, the user is left unverified and without credentials.
Users are only created by signup, so such a user can only be an interrupted signup, and the
next signup for the address takes it over instead of answering 409 for ever.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from solo60.clients import UpstreamConflict, UpstreamNotFound, UserClient
from solo60.contracts.auth import Account, Signup
from solo60.contracts.communication import TemplateKey
from solo60.contracts.user import CreateUser, User
from solo60.services.auth import accounts, passwords, storage
from solo60.services.auth.mail_outbox import enqueue_mail, greeting
from solo60.services.auth.runtime import AuthRuntime
from solo60.services.auth.tokens import Purpose
from solo60.services.kit import Conflict, Reply, once_per_key
from solo60.services.kit.upstreams import required

TAKEN = "An account with this email address already exists."


async def sign_up(runtime: AuthRuntime, body: Signup, idempotency_key: str) -> Reply:
    users = required(runtime.users, "user")
    password_hash = await passwords.hash_password(body.password)  # slow: never inside the transaction

    async def work(session: AsyncSession) -> Account:
        if await storage.find_credentials_by_email(session, body.email) is not None:
            raise Conflict(TAKEN)
        user = await _new_user(users, body)
        try:
            await accounts.register(session, user_id=user.id, email=user.email, password_hash=password_hash)
        except storage.EmailTaken:
            raise Conflict(TAKEN) from None
        issued = await accounts.issue_one_time_token(session, user_id=user.id, purpose=Purpose.EMAIL_VERIFICATION)
        await enqueue_mail(
            session,
            message_id=f"signup-{user.id}-email-confirmation",
            template=TemplateKey.EMAIL_CONFIRMATION,
            user_id=user.id,
            variables={"name": greeting(user.name), "confirmationUrl": runtime.links.confirm_email(issued.token)},
            carries_token=True,
        )
        return Account(user_id=user.id, email=user.email, name=user.name, email_verified=user.email_verified)

    reply = await once_per_key(
        runtime.db,
        storage.idempotency_records,
        operation="signup",
        key=idempotency_key,
        request={"email": storage.email_key(body.email), "name": body.name},  # never the password
        status=201,
        work=work,
    )
    runtime.relay.wake()
    return reply


async def _new_user(users: UserClient, body: Signup) -> User:
    try:
        return await users.create_user(CreateUser(email=body.email, name=body.name))
    except UpstreamConflict:
        return await _interrupted_signup(users, body.email)


async def _interrupted_signup(users: UserClient, email: str) -> User:
    """The user an earlier, interrupted signup left behind (unverified, no credentials), or 409."""
    try:
        user = await users.get_user_by_email(email=email)
    except UpstreamNotFound:
        raise Conflict(TAKEN) from None  # it existed a moment ago: a concurrent change; let the caller retry
    if user.email_verified:
        raise Conflict(TAKEN)
    return user
