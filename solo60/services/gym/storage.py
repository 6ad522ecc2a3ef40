"""The gym service's tables and queries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from solo60.services.kit import UtcDateTime, new_metadata, utc_now


class Base(DeclarativeBase):
    metadata = new_metadata()


class GymRow(Base):
    """A gym with its booking rules; opening and peak hours are `HH:MM` in the gym's timezone."""

    __tablename__ = "gyms"
    __table_args__ = (
        sa.CheckConstraint("opens_at < closes_at", name="opens_before_closing"),
        sa.CheckConstraint("credits_per_hour >= 0 AND peak_credits_per_hour >= 0", name="rates_not_negative"),
        sa.CheckConstraint(
            "slot_minutes > 0 AND min_duration_minutes >= slot_minutes "
            "AND max_duration_minutes >= min_duration_minutes",
            name="durations_ordered",
        ),
        sa.CheckConstraint("max_guests >= 0", name="max_guests_not_negative"),
    )

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str] = mapped_column(sa.String(500))
    timezone: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(16))
    requires_approval: Mapped[bool] = mapped_column(sa.Boolean)
    noise_sensitive: Mapped[bool] = mapped_column(sa.Boolean)
    admin_email: Mapped[str] = mapped_column(sa.String(254))
    admin_user_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    max_guests: Mapped[int] = mapped_column(sa.Integer)
    opens_at: Mapped[str] = mapped_column(sa.String(5))
    closes_at: Mapped[str] = mapped_column(sa.String(5))
    credits_per_hour: Mapped[int] = mapped_column(sa.Integer)
    peak_credits_per_hour: Mapped[int] = mapped_column(sa.Integer)
    peak_hours: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    min_duration_minutes: Mapped[int] = mapped_column(sa.Integer)
    max_duration_minutes: Mapped[int] = mapped_column(sa.Integer)
    slot_minutes: Mapped[int] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    def as_wire(self) -> dict[str, Any]:
        """The fields the contract's `Gym` groups into `openingHours` and `pricing`."""
        return {
            "id": self.id,
            "name": self.name,
            "address": self.address,
            "timezone": self.timezone,
            "status": self.status,
            "requires_approval": self.requires_approval,
            "noise_sensitive": self.noise_sensitive,
            "admin_email": self.admin_email,
            "admin_user_id": self.admin_user_id,
            "max_guests": self.max_guests,
            "opening_hours": {"opens": self.opens_at, "closes": self.closes_at},
            "pricing": {
                "credits_per_hour": self.credits_per_hour,
                "peak_credits_per_hour": self.peak_credits_per_hour,
                "peak_hours": self.peak_hours,
                "min_duration_minutes": self.min_duration_minutes,
                "max_duration_minutes": self.max_duration_minutes,
                "slot_minutes": self.slot_minutes,
            },
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


metadata = Base.metadata


async def find_gym(session: AsyncSession, gym_id: str) -> GymRow | None:
    return await session.get(GymRow, gym_id)


async def replace_gym(session: AsyncSession, **fields: Any) -> GymRow:
    """Insert a gym, first removing any with the same id: provider states seed this way."""
    await session.execute(sa.delete(GymRow).where(GymRow.id == fields["id"]))
    now = utc_now()
    row = GymRow(created_at=now, updated_at=now, **fields)
    session.add(row)
    await session.flush()
    return row
