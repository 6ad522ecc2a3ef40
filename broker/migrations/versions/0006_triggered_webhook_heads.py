"""The newest run of each webhook for an integration in one index probe (the index page's and the
network's webhook status): triggered webhooks indexed by pair, webhook and id.

Revision ID: 0006_triggered_webhook_heads
Revises: 0005_webhook_leases
"""

from __future__ import annotations

from alembic import op

revision = "0006_triggered_webhook_heads"
down_revision = "0005_webhook_leases"
branch_labels = None
depends_on = None

OLD = "ix_triggered_webhooks_consumer_id_provider_id"
NEW = "ix_triggered_webhooks_consumer_id_provider_id_webhook_id_id"


def upgrade() -> None:
    with op.batch_alter_table("triggered_webhooks") as batch:
        batch.drop_index(OLD)
        batch.create_index(NEW, ["consumer_id", "provider_id", "webhook_id", "id"])


def downgrade() -> None:
    with op.batch_alter_table("triggered_webhooks") as batch:
        batch.drop_index(NEW)
        batch.create_index(OLD, ["consumer_id", "provider_id"])
