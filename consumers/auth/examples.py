"""Auth's side of its consumer tests: Ada, the app's links, and what auth's flows use of their runtime."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from pact import match

from solo60.services.auth import accounts
from solo60.services.auth.links import Links
from solo60.services.auth.tokens import Purpose
from solo60.services.kit.database import Database

ADA = {"userId": "123", "email": "ada@example.com", "name": "Ada Lovelace"}
LINKS = Links("http://localhost:3000")
CONFIRM_URL = "http://localhost:3000/confirm-email?token=c0nf1rm"
RESET_URL = "http://localhost:3000/reset-password?token=r3s3t"


def link(example: str) -> Any:
    """A link into the web app: its base URL is configuration, its token a secret, so only the form is pinned."""
    return match.regex(example, regex=r"^https?://\S+$")


def runtime(db: Database, **clients: Any) -> SimpleNamespace:
    """What auth's flows and relay handlers use of `AuthRuntime`: its database, clients, links and relay."""
    return SimpleNamespace(
        db=db,
        users=clients.get("users"),
        communication=clients.get("communication"),
        links=LINKS,
        relay=SimpleNamespace(wake=lambda: None),
    )


async def an_account(db: Database, user: dict[str, str] = ADA) -> None:
    """Credentials for a user the user service knows (the hash is never checked by these tests)."""
    async with db.write() as session:
        await accounts.register(session, user_id=user["userId"], email=user["email"], password_hash="scrypt$unused")


async def a_mailed_token(db: Database, purpose: Purpose, user: dict[str, str] = ADA) -> str:
    """A single-use token as auth mails it (for the user's email verification or password reset)."""
    async with db.write() as session:
        issued = await accounts.issue_one_time_token(session, user_id=user["userId"], purpose=purpose)
    return issued.token
