"""Provider contracts (OpenAPI documents with self-verification) and their comparisons with pacts.

Revision ID: 0003_provider_contracts
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import broker.storage.schema

revision = "0003_provider_contracts"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "provider_contract_contents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha", sa.String(length=40), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("specification", sa.String(length=32), nullable=False),
        sa.Column("created_at", broker.storage.schema.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_contract_contents")),
        sa.UniqueConstraint("sha", name=op.f("uq_provider_contract_contents_sha")),
    )
    op.create_table(
        "provider_contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("provider_version_id", sa.Integer(), nullable=False),
        sa.Column("content_id", sa.Integer(), nullable=False),
        sa.Column("verification_success", sa.Boolean(), nullable=True),
        sa.Column("verification_content", sa.Text(), nullable=True),
        sa.Column("verification_content_type", sa.String(length=255), nullable=True),
        sa.Column("verification_format", sa.String(length=255), nullable=True),
        sa.Column("verifier", sa.String(length=255), nullable=True),
        sa.Column("verifier_version", sa.String(length=255), nullable=True),
        sa.Column("created_at", broker.storage.schema.UtcDateTime(), nullable=False),
        sa.Column("updated_at", broker.storage.schema.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["provider_contract_contents.id"],
            name=op.f("fk_provider_contracts_content_id_provider_contract_contents"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["pacticipants.id"],
            name=op.f("fk_provider_contracts_provider_id_pacticipants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_version_id"],
            ["versions.id"],
            name=op.f("fk_provider_contracts_provider_version_id_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_contracts")),
        sa.UniqueConstraint("provider_version_id", name=op.f("uq_provider_contracts_provider_version_id")),
    )
    op.create_index(op.f("ix_provider_contracts_content_id"), "provider_contracts", ["content_id"])
    op.create_index(
        op.f("ix_provider_contracts_provider_id_provider_version_id"),
        "provider_contracts",
        ["provider_id", "provider_version_id"],
    )
    op.create_table(
        "cross_contract_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pact_content_id", sa.Integer(), nullable=False),
        sa.Column("contract_content_id", sa.Integer(), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("results", broker.storage.schema.JsonText(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("comparator_version", sa.String(length=32), nullable=False),
        sa.Column("created_at", broker.storage.schema.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_content_id"],
            ["provider_contract_contents.id"],
            name=op.f("fk_cross_contract_results_contract_content_id_provider_contract_contents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pact_content_id"],
            ["pact_contents.id"],
            name=op.f("fk_cross_contract_results_pact_content_id_pact_contents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cross_contract_results")),
        sa.UniqueConstraint(
            "pact_content_id",
            "contract_content_id",
            name=op.f("uq_cross_contract_results_pact_content_id_contract_content_id"),
        ),
    )
    op.create_index(
        op.f("ix_cross_contract_results_contract_content_id"), "cross_contract_results", ["contract_content_id"]
    )


def downgrade() -> None:
    op.drop_table("cross_contract_results")
    op.drop_table("provider_contracts")
    op.drop_table("provider_contract_contents")
