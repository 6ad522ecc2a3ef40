"""Upgrading a database from before the booking flow: its sessions stay booked and visible."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import command

from solo60.services.kit.database import sync_url
from solo60.services.kit.settings import ServiceSettings
from solo60.services.session import service, storage


async def test_sessions_stored_before_the_booking_flow_count_as_booked(new_database_url: Callable[[str], str]) -> None:
    db = service.database(ServiceSettings(service="session", database_url=new_database_url("session")))
    engine = sa.create_engine(sync_url(db.url))
    with engine.begin() as connection:
        config = db.alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            sa.text(
                "INSERT INTO sessions (id, user_id, gym_id, status, starts_at, ends_at, price_credits, created_at, "
                "updated_at) VALUES ('s-old', '123', 'gym-1', 'CONFIRMED', '2030-01-07 10:00:00+00:00', "
                "'2030-01-07 11:00:00+00:00', 10, '2025-01-02 03:04:05+00:00', '2025-01-02 03:04:05+00:00')"
            )
        )
    engine.dispose()

    await db.migrate()
    async with db.read() as session:
        row = await storage.find_session(session, "s-old")
    await db.dispose()

    assert row is not None
    assert row.booked_at == row.created_at
    assert (row.approved_at, row.rejected_at, row.cancellation_reason) == (None, None, None)
