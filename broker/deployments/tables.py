"""Storage for environments and the versions deployed or released to them."""

from __future__ import annotations

import sqlalchemy as sa

from broker.storage.schema import (
    NAME_LENGTH,
    JsonText,
    UtcDateTime,
    created_at_column,
    metadata,
    name_column,
)

environments = sa.Table(
    "environments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("uuid", sa.String(64), nullable=False),
    name_column(),
    sa.Column("display_name", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("production", sa.Boolean, nullable=False),
    sa.Column("contacts", JsonText(), nullable=True),
    created_at_column(),
    sa.Column("updated_at", UtcDateTime(), nullable=True),
    sa.UniqueConstraint("uuid"),
    sa.UniqueConstraint("name"),
)

deployed_versions = sa.Table(
    "deployed_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("uuid", sa.String(64), nullable=False),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("pacticipant_id", sa.Integer, sa.ForeignKey("pacticipants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("environment_id", sa.Integer, sa.ForeignKey("environments.id", ondelete="CASCADE"), nullable=False),
    sa.Column("target", sa.String(NAME_LENGTH), nullable=True),
    created_at_column(),
    sa.Column("undeployed_at", UtcDateTime(), nullable=True),
    sa.UniqueConstraint("uuid"),
    sa.Index(None, "environment_id", "pacticipant_id", "undeployed_at"),
    sa.Index(None, "version_id"),
)

released_versions = sa.Table(
    "released_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("uuid", sa.String(64), nullable=False),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("pacticipant_id", sa.Integer, sa.ForeignKey("pacticipants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("environment_id", sa.Integer, sa.ForeignKey("environments.id", ondelete="CASCADE"), nullable=False),
    created_at_column(),
    sa.Column("updated_at", UtcDateTime(), nullable=True),
    sa.Column("support_ended_at", UtcDateTime(), nullable=True),
    sa.UniqueConstraint("uuid"),
    sa.UniqueConstraint("version_id", "environment_id"),
    sa.Index(None, "environment_id", "pacticipant_id", "support_ended_at"),
)
