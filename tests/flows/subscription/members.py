"""Members and their subscriptions as the flow tests set them up and read them back, through the services' routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from solo60.services.payment import storage as payment_storage
from solo60.services.subscription import storage
from tests.flows.auth.platform import Platform
from tests.services.communication.smtp_server import eventually

START = "/internal/subscriptions"
ACTIVATED = "Welcome to Solo60 Monthly 8"
CREDITED = "8 credits added to your balance"
ENDED = "Your Solo60 Monthly 8 subscription has ended"
PAYMENT_FAILED = "We could not renew Solo60 Monthly 8"


async def member(platform: Platform, email: str = "ada@example.com", name: str = "Ada Lovelace") -> str:
    """A user of the user service (the communication service resolves their address from it)."""
    response = await platform.client("user").post("/internal/users", json={"email": email, "name": name})
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def start(platform: Platform, user_id: str, key: str = "start-1", **fields: Any) -> Any:
    body = {"userId": user_id, "plan": "monthly-8", "cardToken": "tok_visa", **fields}
    return await platform.client("subscription").post(START, json=body, headers={"Idempotency-Key": key})


async def started(platform: Platform, user_id: str, **fields: Any) -> dict[str, Any]:
    response = await start(platform, user_id, **fields)
    assert response.status_code == 201, response.text
    return response.json()


async def subscription_of(platform: Platform, user_id: str) -> dict[str, Any] | None:
    response = await platform.client("subscription").get(f"/internal/subscriptions/by-user/{user_id}")
    assert response.status_code == 200, response.text
    return response.json()["subscription"]


async def balance(platform: Platform, user_id: str) -> int:
    response = await platform.client("payment").get(f"/internal/payments/credits/{user_id}")
    assert response.status_code == 200, response.text
    return int(response.json()["balance"])


async def balance_reaches(platform: Platform, user_id: str, credits: int) -> None:
    async def reached() -> bool:
        return await balance(platform, user_id) == credits

    await eventually(reached, what=f"a balance of {credits} credits")


async def charges(platform: Platform, subscription_id: str) -> list[tuple[int, str]]:
    """(amount in cents, status) of every card charge the payment service recorded for the subscription."""
    table = payment_storage.ChargeRow
    async with platform.database("payment").read() as session:
        rows = await session.execute(
            sa.select(table.amount_cents, table.status)
            .where(table.subscription_id == subscription_id)
            .order_by(table.created_at)
        )
        return [(row.amount_cents, row.status) for row in rows]


async def set_card(platform: Platform, subscription_id: str, card_token: str) -> None:
    """The member's card changed at the gateway (it expired, say): what the next charge will meet."""
    async with platform.database("subscription").write() as session:
        row = await storage.find_subscription(session, subscription_id)
        assert row is not None
        row.card_token = card_token


async def outbox_settled(platform: Platform) -> bool:
    async with platform.database("subscription").read() as session:
        statuses = (await session.execute(sa.select(storage.outbox.c.status))).scalars().all()
    return all(status == "DELIVERED" for status in statuses)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)
