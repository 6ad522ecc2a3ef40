"""Create the gyms table.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gyms",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address", sa.String(500), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requires_approval", sa.Boolean(), nullable=False),
        sa.Column("noise_sensitive", sa.Boolean(), nullable=False),
        sa.Column("admin_email", sa.String(254), nullable=False),
        sa.Column("admin_user_id", sa.String(64), nullable=True),
        sa.Column("max_guests", sa.Integer(), nullable=False),
        sa.Column("opens_at", sa.String(5), nullable=False),
        sa.Column("closes_at", sa.String(5), nullable=False),
        sa.Column("credits_per_hour", sa.Integer(), nullable=False),
        sa.Column("peak_credits_per_hour", sa.Integer(), nullable=False),
        sa.Column("peak_hours", sa.JSON(), nullable=False),
        sa.Column("min_duration_minutes", sa.Integer(), nullable=False),
        sa.Column("max_duration_minutes", sa.Integer(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gyms"),
        sa.CheckConstraint("opens_at < closes_at", name="ck_gyms_opens_before_closing"),
        sa.CheckConstraint("credits_per_hour >= 0 AND peak_credits_per_hour >= 0", name="ck_gyms_rates_not_negative"),
        sa.CheckConstraint(
            "slot_minutes > 0 AND min_duration_minutes >= slot_minutes "
            "AND max_duration_minutes >= min_duration_minutes",
            name="ck_gyms_durations_ordered",
        ),
        sa.CheckConstraint("max_guests >= 0", name="ck_gyms_max_guests_not_negative"),
    )


def downgrade() -> None:
    op.drop_table("gyms")
