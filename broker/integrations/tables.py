"""Storage for integrations: a consumer and a provider that share at least one pact."""

from __future__ import annotations

import sqlalchemy as sa

from broker.storage.schema import UtcDateTime, created_at_column, metadata

integrations = sa.Table(
    "integrations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("consumer_id", sa.Integer, sa.ForeignKey("pacticipants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("provider_id", sa.Integer, sa.ForeignKey("pacticipants.id", ondelete="CASCADE"), nullable=False),
    created_at_column(),
    sa.Column("contract_data_updated_at", UtcDateTime(), nullable=True),
    sa.UniqueConstraint("consumer_id", "provider_id"),
    sa.Index(None, "provider_id"),
)
