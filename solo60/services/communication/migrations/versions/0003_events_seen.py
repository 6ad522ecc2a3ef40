"""The domain events communication has acted on, by message id: redeliveries are dropped.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events_seen",
        sa.Column("message_id", sa.String(128), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_events_seen_seen_at", "events_seen", ["seen_at"])


def downgrade() -> None:
    op.drop_index("ix_events_seen_seen_at", table_name="events_seen")
    op.drop_table("events_seen")
