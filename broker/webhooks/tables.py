"""Storage for webhooks, the events that triggered them and every execution attempt's log."""

from __future__ import annotations

import sqlalchemy as sa

from broker.storage.schema import NAME_LENGTH, JsonText, UtcDateTime, created_at_column, metadata

webhooks = sa.Table(
    "webhooks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("uuid", sa.String(64), nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("enabled", sa.Boolean, nullable=False, default=True),
    sa.Column("consumer_id", sa.Integer, sa.ForeignKey("pacticipants.id", ondelete="CASCADE"), nullable=True),
    sa.Column("consumer_label", sa.String(NAME_LENGTH), nullable=True),
    sa.Column("provider_id", sa.Integer, sa.ForeignKey("pacticipants.id", ondelete="CASCADE"), nullable=True),
    sa.Column("provider_label", sa.String(NAME_LENGTH), nullable=True),
    sa.Column("events", JsonText(), nullable=False),
    sa.Column("request", JsonText(), nullable=False),
    created_at_column(),
    sa.Column("updated_at", UtcDateTime(), nullable=True),
    sa.UniqueConstraint("uuid"),
)

triggered_webhooks = sa.Table(
    "triggered_webhooks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("uuid", sa.String(64), nullable=False),
    sa.Column("webhook_id", sa.Integer, sa.ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False),
    sa.Column("event_name", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("context", JsonText(), nullable=False),
    sa.Column("consumer_id", sa.Integer, sa.ForeignKey("pacticipants.id", ondelete="CASCADE"), nullable=True),
    sa.Column("provider_id", sa.Integer, sa.ForeignKey("pacticipants.id", ondelete="CASCADE"), nullable=True),
    sa.Column("next_attempt_at", UtcDateTime(), nullable=True),
    # which broker instance is running the current attempt, and until when it owns it
    sa.Column("claimed_by", sa.String(128), nullable=True),
    sa.Column("lease_expires_at", UtcDateTime(), nullable=True),
    created_at_column(),
    sa.Column("updated_at", UtcDateTime(), nullable=True),
    sa.UniqueConstraint("uuid"),
    sa.Index(None, "status", "next_attempt_at"),
    sa.Index(None, "webhook_id"),
    # the newest run of each webhook for a pair is one probe (see latest_triggered_for_pairs)
    sa.Index(None, "consumer_id", "provider_id", "webhook_id", "id"),
)

webhook_executions = sa.Table(
    "webhook_executions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "triggered_webhook_id",
        sa.Integer,
        sa.ForeignKey("triggered_webhooks.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("success", sa.Boolean, nullable=False),
    sa.Column("logs", sa.Text, nullable=False),
    created_at_column(),
    sa.Index(None, "triggered_webhook_id"),
)
