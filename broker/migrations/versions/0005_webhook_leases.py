"""Webhook attempts claimed with a lease, so several broker instances share one queue.

Revision ID: 0005_webhook_leases
Revises: 0004_pact_revisions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import broker.storage.schema

revision = "0005_webhook_leases"
down_revision = "0004_pact_revisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("triggered_webhooks") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("lease_expires_at", broker.storage.schema.UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("triggered_webhooks") as batch:
        batch.drop_column("lease_expires_at")
        batch.drop_column("claimed_by")
