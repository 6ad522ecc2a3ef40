"""The people, gym and slots the session flow tests book: set up through the services' provider states."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import sqlalchemy as sa

from solo60.services.kit.outbox import PENDING
from solo60.services.payment.storage import CreditTransactionRow
from solo60.services.session.storage import outbox
from tests.flows.session.stack import Stack, eventually

MEMBER, MEMBER_EMAIL, MEMBER_NAME = "member-1", "ada@example.com", "Ada Lovelace"
ADMIN = "admin-1"
ADMIN_EMAIL = "admin@fieldstreetgym.example"
GYM, GYM_NAME = "gym-1", "Field Street Gym"
GUEST_EMAIL, GUEST_NAME = "grace@example.com", "Grace Hopper"

SLOT = "2030-01-07T10:00:00Z"
"""Monday 10:00 in London (GMT in January), off-peak: an hour costs the gym's 10 credits."""
SLOT_LOCAL = "Monday 7 January 2030, 10:00 (Europe/London)"
PRICE = 10


async def member(
    stack: Stack,
    user_id: str = MEMBER,
    *,
    email: str = MEMBER_EMAIL,
    name: str = MEMBER_NAME,
    credits: int = 30,
    status: str = "ACTIVE",
) -> None:
    await stack.state("user", "a user exists", userId=user_id, email=email, name=name, status=status)
    await stack.state("payment", "a user has credits", userId=user_id, balance=credits)


async def gym(stack: Stack, gym_id: str = GYM, **rules: Any) -> None:
    """Field Street Gym, 10 credits an hour all day (no peak hours), run by ADMIN; `rules` override."""
    params = {
        "gymId": gym_id,
        "name": GYM_NAME,
        "adminEmail": ADMIN_EMAIL,
        "adminUserId": ADMIN,
        "peakHours": [],
        "creditsPerHour": PRICE,
        **rules,
    }
    await stack.state("gym", "a gym exists", **params)
    await stack.state("user", "a user holds a role", userId=ADMIN, role="GYM_ADMIN")


def booking(**fields: Any) -> dict[str, Any]:
    return {"userId": MEMBER, "gymId": GYM, "startsAt": SLOT, "durationMinutes": 60, **fields}


async def book(stack: Stack, *, key: str | None = None, **fields: Any) -> httpx.Response:
    headers = {"Idempotency-Key": key or f"booking-{uuid.uuid4()}"}
    return await stack["session"].post("/internal/sessions", json=booking(**fields), headers=headers)


async def booked(stack: Stack, **fields: Any) -> dict[str, Any]:
    response = await book(stack, **fields)
    assert response.status_code == 201, response.text
    return response.json()


async def balance(stack: Stack, user_id: str = MEMBER) -> int:
    response = await stack["payment"].get(f"/internal/payments/credits/{user_id}")
    assert response.status_code == 200, response.text
    return int(response.json()["balance"])


async def balance_becomes(stack: Stack, expected: int, user_id: str = MEMBER) -> None:
    """Wait for the balance to reach `expected` (a refund follows its cancellation through an outbox)."""

    async def reached() -> bool:
        return await balance(stack, user_id) == expected

    await eventually(reached, what=f"the balance of {user_id} to become {expected}")


async def ledger(stack: Stack, user_id: str | None = None) -> list[tuple[str, int, str | None]]:
    """(type, amount, sessionId) of every credit movement, oldest first, from the payment service's own table."""
    query = sa.select(CreditTransactionRow.type, CreditTransactionRow.amount, CreditTransactionRow.session_id)
    if user_id is not None:
        query = query.where(CreditTransactionRow.user_id == user_id)
    rows = await stack.rows("payment", query.order_by(CreditTransactionRow.created_at))
    return [(row.type, row.amount, row.session_id) for row in rows]


async def session(stack: Stack, session_id: str) -> dict[str, Any]:
    response = await stack["session"].get(f"/internal/sessions/{session_id}")
    assert response.status_code == 200, response.text
    return response.json()


async def command(stack: Stack, session_id: str, action: str, body: dict[str, Any] | None = None) -> httpx.Response:
    """POST /internal/sessions/{id}/{action}, as the API gateway sends a member's or an admin's command."""
    return await stack["session"].post(f"/internal/sessions/{session_id}/{action}", json=body or {})


async def waiting(stack: Stack, user_id: str, *, email: str) -> None:
    """Another active member, who will wait for a taken slot."""
    await stack.state("user", "a user exists", userId=user_id, email=email, name=f"Waiting {user_id}")


async def settled(stack: Stack) -> None:
    """Wait until the session service has carried out every follow-up it recorded (mails, refunds)."""

    async def nothing_pending() -> bool:
        pending = await stack.rows("session", sa.select(outbox.c.id).where(outbox.c.status == PENDING))
        return pending == []

    await eventually(nothing_pending, what="the session service's outbox to be delivered")
