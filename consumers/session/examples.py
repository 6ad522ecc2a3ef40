"""Session's side of its consumer tests: who and where (the seeds of the live gym and user services),
a session of Ada's, and session's upstreams with the provider under test at the mock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from solo60.clients import GymClient, ServiceClient, UserClient
from solo60.harness.made.neighbours import Neighbours
from solo60.services.session.storage import GuestRow, SessionRow
from solo60.services.session.upstreams import Upstreams

ADA = {"userId": "123", "email": "ada@example.com", "name": "Ada Lovelace"}
GRACE = {"userId": "456", "email": "grace@example.com", "name": "Grace Hopper"}
GYM = {"gymId": "gym-1"}
"""Field Street Gym, in Europe/London, admin@fieldstreetgym.example: the gym service's `a gym exists`."""
STARTS_AT = datetime(2030, 1, 7, 10, 0, tzinfo=UTC)


def upstreams(neighbours: Neighbours, **under_test: ServiceClient) -> Upstreams:
    """Session's upstreams: the live gym and user services, and the provider under test at the mock."""
    clients: dict[str, ServiceClient] = {
        "gym": neighbours.client(GymClient, caller="session"),
        "user": neighbours.client(UserClient, caller="session"),
    }
    clients.update(under_test)
    return Upstreams(clients=clients)


def a_session(status: str = "CONFIRMED", *, guests: tuple[dict[str, str], ...] = (), **changes: Any) -> SessionRow:
    """Ada's hour at Field Street Gym on Monday 7 January 2030, 10:00 London time."""
    fields: dict[str, Any] = {
        "id": "9b2f6c1e-4d7a-4e0b-8f3c-2a1d5e6f7a8b",
        "user_id": ADA["userId"],
        "gym_id": GYM["gymId"],
        "status": status,
        "starts_at": STARTS_AT,
        "ends_at": STARTS_AT.replace(hour=11),
        "price_credits": 0,
        "created_at": STARTS_AT.replace(year=2029),
        "updated_at": STARTS_AT.replace(year=2029),
    }
    row = SessionRow(**{**fields, **changes})
    row.guests = [
        GuestRow(
            id=f"guest-{index}",
            session_id=row.id,
            email=guest["email"],
            email_key=guest["email"].lower(),
            name=guest.get("name"),
            invited_at=STARTS_AT.replace(year=2029),
        )
        for index, guest in enumerate(guests, 1)
    ]
    return row
