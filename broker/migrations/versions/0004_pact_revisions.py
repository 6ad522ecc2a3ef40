"""Keep the pact revisions a republication replaces, for the matrix without `latestby`.

When changing a consumer version's pact is allowed, the official broker keeps every revision and
its matrix lists each one as a row unless `latestby` collapses them. Revisions replaced before
this migration were not kept, so history starts here.

Revision ID: 0004_pact_revisions
Revises: 0003_provider_contracts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import broker.storage.schema

revision = "0004_pact_revisions"
down_revision = "0003_provider_contracts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "superseded_pact_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pact_publication_id", sa.Integer(), nullable=False),
        sa.Column("revision_number", sa.Integer(), nullable=False),
        sa.Column("pact_version_id", sa.Integer(), nullable=False),
        sa.Column("created_at", broker.storage.schema.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pact_publication_id"],
            ["pact_publications.id"],
            name=op.f("fk_superseded_pact_revisions_pact_publication_id_pact_publications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pact_version_id"],
            ["pact_versions.id"],
            name=op.f("fk_superseded_pact_revisions_pact_version_id_pact_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_superseded_pact_revisions")),
        sa.UniqueConstraint(
            "pact_publication_id",
            "revision_number",
            name=op.f("uq_superseded_pact_revisions_pact_publication_id_revision_number"),
        ),
    )
    op.create_index(
        op.f("ix_superseded_pact_revisions_pact_version_id"),
        "superseded_pact_revisions",
        ["pact_version_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_superseded_pact_revisions_pact_version_id"), table_name="superseded_pact_revisions")
    op.drop_table("superseded_pact_revisions")
