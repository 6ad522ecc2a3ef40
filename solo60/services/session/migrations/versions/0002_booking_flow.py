"""The booking flow: reservations, the gym admin's decision, booking requests by key, and an outbox.

A session row inserted by a booking holds its slot before the credits are debited; `booked_at`
is set once they are, and sessions from before this revision count as booked since they were
created. `booking_requests` keeps each booking's Idempotency-Key with its answer, and
`outbox_messages` is the kit's transactional outbox for the mails and refunds after a change.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sessions", sa.Column("booked_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("sessions", sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("sessions", sa.Column("rejected_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("sessions", sa.Column("decided_by", sa.String(64), nullable=True))
    op.add_column("sessions", sa.Column("cancellation_reason", sa.String(500), nullable=True))
    op.execute("UPDATE sessions SET booked_at = created_at")
    op.create_table(
        "booking_requests",
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("price_credits", sa.Integer(), nullable=False),
        sa.Column("noise_warning", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("idempotency_key", name="pk_booking_requests"),
        sa.UniqueConstraint("session_id", name="uq_booking_requests_session_id"),
        sa.CheckConstraint("status IN ('RESERVED', 'BOOKED')", name="ck_booking_requests_known_status"),
    )
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("operation", sa.String(100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("correlation_id", sa.String(128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_messages"),
    )
    op.create_index("ix_outbox_messages_due", "outbox_messages", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_messages_due", table_name="outbox_messages")
    op.drop_table("outbox_messages")
    op.drop_table("booking_requests")
    # Plain DROP COLUMN (SQLite 3.35+): a batch rebuild of `sessions` would lose its overlap triggers.
    for column in ("cancellation_reason", "decided_by", "rejected_at", "approved_at", "booked_at"):
        op.drop_column("sessions", column)
