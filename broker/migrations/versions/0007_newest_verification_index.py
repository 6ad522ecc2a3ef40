"""The newest verification of a pact version in one index probe (the coverage map's "verified by",
for each of the ~1,000 pacts that matter to a provider): verifications indexed by pact version and
id, read backwards (on PostgreSQL also carrying the columns the coverage map reads, so the probe
never visits the table). Without it PostgreSQL checked every verification of the pact version against
every other (an anti-join) and SQLite read them all to find the highest id.

Revision ID: 0007_newest_verification_index
Revises: 0006_triggered_webhook_heads
"""

from __future__ import annotations

from alembic import op

revision = "0007_newest_verification_index"
down_revision = "0006_triggered_webhook_heads"
branch_labels = None
depends_on = None

NEW = "ix_verifications_pact_version_id_id"
INCLUDED = ["success", "provider_id", "provider_version_id"]  # what the newest one shows, without a table visit


def upgrade() -> None:
    with op.batch_alter_table("verifications") as batch:
        batch.create_index(NEW, ["pact_version_id", "id"], postgresql_include=INCLUDED)


def downgrade() -> None:
    with op.batch_alter_table("verifications") as batch:
        batch.drop_index(NEW)
