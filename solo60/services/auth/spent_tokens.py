"""Why a mailed token cannot be used: unknown (404), or already used or expired (409), said plainly.

Telling them apart reveals nothing an attacker could use (a token is 256 random bits), and
lets the app offer the right next step: sign in, or ask for a new link.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from solo60.services.auth import storage
from solo60.services.auth.tokens import Purpose, token_digest
from solo60.services.kit import Conflict, NotFound, ServiceError, utc_now

_WHAT = {Purpose.EMAIL_VERIFICATION: "email confirmation link", Purpose.PASSWORD_RESET: "password reset link"}


async def redeemable(session: AsyncSession, token: str, purpose: Purpose) -> storage.OneTimeTokenRow:
    """The token's row if it can be redeemed now; otherwise the error that says why not."""
    row = await storage.find_one_time_token(session, token_digest(token))
    problem = _problem(row, purpose)
    if problem is not None:
        raise problem
    assert row is not None
    return row


async def refusal(session: AsyncSession, token: str, purpose: Purpose) -> ServiceError:
    """The error for a token whose redemption just failed (e.g. another request redeemed it first)."""
    row = await storage.find_one_time_token(session, token_digest(token))
    return _problem(row, purpose) or Conflict(f"This {_WHAT[purpose]} was already used.")


def _problem(row: storage.OneTimeTokenRow | None, purpose: Purpose) -> ServiceError | None:
    what = _WHAT[purpose]
    if row is None or row.purpose != purpose.value:
        return NotFound(f"This {what} is not valid; check that it was copied whole.")
    if row.used_at is not None:
        return Conflict(f"This {what} was already used.")
    if row.expires_at <= utc_now():
        return Conflict(f"This {what} has expired (a newer link replaces an older one); ask for a new one.")
    return None
