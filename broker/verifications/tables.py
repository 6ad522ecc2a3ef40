"""Storage for verification results and the latest result per (pact version, provider version).

`latest_verifications` is maintained on write: the matrix joins publications to it on the pact
version, so "only the newest verification by a provider version counts" costs nothing at read time.
"""

from __future__ import annotations

import sqlalchemy as sa

from broker.storage.schema import JsonText, created_at_column, metadata

verifications = sa.Table(
    "verifications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("pact_version_id", sa.Integer, sa.ForeignKey("pact_versions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("consumer_id", sa.Integer, sa.ForeignKey("pacticipants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("provider_id", sa.Integer, sa.ForeignKey("pacticipants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("provider_version_id", sa.Integer, sa.ForeignKey("versions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("success", sa.Boolean, nullable=False),
    sa.Column("build_url", sa.Text, nullable=True),
    sa.Column("test_results", JsonText(), nullable=True),
    sa.Column("verified_by", JsonText(), nullable=True),
    sa.Column("wip", sa.Boolean, nullable=False, default=False),
    sa.Column("pact_pending", sa.Boolean, nullable=True),
    sa.Column("consumer_version_selectors", JsonText(), nullable=True),
    created_at_column(),
    # covers "did any version on branch B (or before date D, outside WIP) verify this content?"
    sa.Index(
        "ix_verifications_success_covering", "pact_version_id", "success", "provider_version_id", "wip", "created_at"
    ),
    sa.Index(None, "provider_version_id"),
    sa.Index(None, "provider_id", "created_at"),
    # a pact version's newest verification, in one probe (on PostgreSQL without visiting the table)
    sa.Index(None, "pact_version_id", "id", postgresql_include=["success", "provider_id", "provider_version_id"]),
)

latest_verifications = sa.Table(
    "latest_verifications",
    metadata,
    sa.Column(
        "pact_version_id",
        sa.Integer,
        sa.ForeignKey("pact_versions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("provider_version_id", sa.Integer, sa.ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("verification_id", sa.Integer, sa.ForeignKey("verifications.id", ondelete="CASCADE"), nullable=False),
    sa.Column("success", sa.Boolean, nullable=False),
    sa.Index(None, "provider_version_id", "pact_version_id"),
)
