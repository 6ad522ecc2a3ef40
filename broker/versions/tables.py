"""Storage for pacticipant versions, the branches they sit on and their (legacy) tags.

"Latest" always means the highest id, which is creation order; the composite indexes below let
every "latest version of X on branch B / with tag T" question be a single backward index probe.
"""

from __future__ import annotations

import sqlalchemy as sa

from broker.storage.schema import NAME_LENGTH, UtcDateTime, created_at_column, metadata, name_column

versions = sa.Table(
    "versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("pacticipant_id", sa.Integer, sa.ForeignKey("pacticipants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("number", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("build_url", sa.Text, nullable=True),
    created_at_column(),
    sa.Column("updated_at", UtcDateTime(), nullable=True),
    sa.UniqueConstraint("pacticipant_id", "number"),
    sa.Index(None, "pacticipant_id", "id"),
)

branches = sa.Table(
    "branches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("pacticipant_id", sa.Integer, sa.ForeignKey("pacticipants.id", ondelete="CASCADE"), nullable=False),
    name_column(),
    created_at_column(),
    sa.Column("updated_at", UtcDateTime(), nullable=True),
    sa.UniqueConstraint("pacticipant_id", "name"),
)

branch_versions = sa.Table(
    "branch_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("branch_id", sa.Integer, sa.ForeignKey("branches.id", ondelete="CASCADE"), nullable=False),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("pacticipant_id", sa.Integer, sa.ForeignKey("pacticipants.id", ondelete="CASCADE"), nullable=False),
    created_at_column(),
    sa.UniqueConstraint("branch_id", "version_id"),
    sa.Index(None, "version_id", "branch_id"),
)

tags = sa.Table(
    "tags",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("pacticipant_id", sa.Integer, sa.ForeignKey("pacticipants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(NAME_LENGTH), nullable=False),
    created_at_column(),
    sa.UniqueConstraint("version_id", "name"),
    sa.Index(None, "pacticipant_id", "name", "version_id"),
)
