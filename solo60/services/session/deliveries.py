"""How the outbox relay carries out each follow-up: one handler per operation of `follow_ups.py`.

A handler raises to be retried later (a service is down) and `PermanentFailure` when retrying
cannot help (the gym is gone, the address is refused): the message is then FAILED with the
reason kept in the outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from solo60 import clients
from solo60.contracts.communication import Recipient, SendEmail, TemplateKey
from solo60.contracts.gym import Gym
from solo60.contracts.payment import RefundCredits
from solo60.contracts.user import User
from solo60.services.kit import Database, PermanentFailure
from solo60.services.kit.outbox import Deliver, is_permanent
from solo60.services.session import follow_ups, holds
from solo60.services.session.follow_ups import GYM_ADMIN
from solo60.services.session.upstreams import Upstreams

logger = logging.getLogger("solo60.services.session")

T = TypeVar("T")

NEEDS_MEMBER_NAME = {TemplateKey.SESSION_APPROVAL_REQUEST: "memberName", TemplateKey.GUEST_INVITATION: "hostName"}


def handlers(db: Database, upstreams: Upstreams, wake: Callable[[], None]) -> dict[str, Deliver]:
    """The relay's handlers; `wake` asks the relay for another pass (a released hold may free a refund)."""

    async def send_mail(payload: dict[str, Any], key: str) -> None:
        await send_session_mail(upstreams, payload, key)

    async def refund(payload: dict[str, Any], key: str) -> None:
        await refund_credits(upstreams, payload, key)

    async def release(payload: dict[str, Any], key: str) -> None:
        if await holds.release(db, payload["idempotencyKey"], payload["sessionId"], paid_perhaps=True):
            wake()

    return {
        follow_ups.SEND_MAIL: send_mail,
        follow_ups.REFUND_CREDITS: refund,
        follow_ups.RELEASE_RESERVATION: release,
    }


async def send_session_mail(upstreams: Upstreams, payload: dict[str, Any], key: str) -> None:
    """Fill in the gym's name, the local start time and names, then queue the mail with communication."""
    upstreams.require("gym", "user", "communication")
    template = TemplateKey(payload["templateKey"])
    gym = await _answer(upstreams.gyms.get_gym(payload["gymId"]))
    variables: dict[str, Any] = {
        "gymName": gym.name,
        "startsAt": local_time(datetime.fromisoformat(payload["startsAt"]), gym),
    }
    to = payload["to"]
    if to == GYM_ADMIN:
        to = {"email": gym.admin_email}
        variables["name"] = f"{gym.name} team"
    names = _Names(upstreams)
    if template in NEEDS_MEMBER_NAME:
        variables[NEEDS_MEMBER_NAME[template]] = (await names.of(payload["memberId"])).name
    if "userId" in to:
        variables["name"] = (await names.of(to["userId"])).name
    variables.update(payload["variables"])
    mail = SendEmail(template_key=template, to=Recipient.model_validate(to), variables=variables)
    await _answer(upstreams.mail.send_email_async(mail, idempotency_key=key))


async def refund_credits(upstreams: Upstreams, payload: dict[str, Any], key: str) -> None:
    body = RefundCredits(user_id=payload["userId"], session_id=payload["sessionId"], amount=payload["amount"])
    try:
        await _answer(upstreams.payments.refund_credits(body, idempotency_key=key))
    except PermanentFailure as refusal:
        if payload.get("onlyIfDebited") and isinstance(refusal.__cause__, clients.UpstreamConflict):
            logger.info("nothing to give back for session %s: %s", body.session_id, refusal.__cause__.message)
            return
        raise


def local_time(moment: datetime, gym: Gym) -> str:
    """`Monday 7 January 2030, 17:00 (Europe/London)`: the time as the member reads the gym's clock."""
    local = moment.astimezone(ZoneInfo(gym.timezone))
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} ({gym.timezone})"


class _Names:
    """Users looked up once per mail."""

    def __init__(self, upstreams: Upstreams) -> None:
        self.upstreams = upstreams
        self.known: dict[str, User] = {}

    async def of(self, user_id: str) -> User:
        if user_id not in self.known:
            self.known[user_id] = await _answer(self.upstreams.users.get_user(user_id))
        return self.known[user_id]


async def _answer(call: Awaitable[T]) -> T:
    """The call's result; a refusal retrying cannot change becomes `PermanentFailure`."""
    try:
        return await call
    except Exception as error:
        if is_permanent(error):
            raise PermanentFailure(f"{type(error).__name__}: {error}") from error
        raise
