"""The outbox's leases name their relay and messages may carry their own patience; retention indexes.

One outbox for every service (the kit's): a claim records which relay holds it (`lease_owner`),
so only that relay records the outcome; `max_attempts` lets a message fix its attempts when it
is queued; `updated_at` says when it last changed. The two indexes let `solo60 jobs run-due`
find delivered messages and old idempotency records past their retention without a scan.

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
    op.add_column("outbox_messages", sa.Column("max_attempts", sa.Integer(), nullable=True))
    op.add_column("outbox_messages", sa.Column("lease_owner", sa.String(128), nullable=True))
    op.add_column("outbox_messages", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_outbox_messages_delivered_at", "outbox_messages", ["delivered_at"])
    op.create_index("ix_idempotency_records_created_at", "idempotency_records", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_records_created_at", table_name="idempotency_records")
    op.drop_index("ix_outbox_messages_delivered_at", table_name="outbox_messages")
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("updated_at")
        batch.drop_column("lease_owner")
        batch.drop_column("max_attempts")
