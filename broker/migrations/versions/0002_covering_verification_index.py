"""Cover the pending/WIP verification checks with one index (no table visits).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OLD = "ix_verifications_pact_version_id_success_provider_version_id"
NEW = "ix_verifications_success_covering"


def upgrade() -> None:
    with op.batch_alter_table("verifications") as batch:
        batch.drop_index(OLD)
        batch.create_index(NEW, ["pact_version_id", "success", "provider_version_id", "wip", "created_at"])


def downgrade() -> None:
    with op.batch_alter_table("verifications") as batch:
        batch.drop_index(NEW)
        batch.create_index(OLD, ["pact_version_id", "success", "provider_version_id"])
