"""Storage for pacticipants (the applications that take part in pacts) and their labels."""

from __future__ import annotations

import sqlalchemy as sa

from broker.storage.schema import NAME_LENGTH, UtcDateTime, created_at_column, metadata, name_column

pacticipants = sa.Table(
    "pacticipants",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    name_column(),
    sa.Column("display_name", sa.String(NAME_LENGTH), nullable=True),
    sa.Column("main_branch", sa.String(NAME_LENGTH), nullable=True),
    sa.Column("repository_url", sa.Text, nullable=True),
    sa.Column("repository_name", sa.String(NAME_LENGTH), nullable=True),
    sa.Column("repository_namespace", sa.String(NAME_LENGTH), nullable=True),
    created_at_column(),
    sa.Column("updated_at", UtcDateTime(), nullable=True),
    sa.UniqueConstraint("name"),
)

labels = sa.Table(
    "labels",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("pacticipant_id", sa.Integer, sa.ForeignKey("pacticipants.id", ondelete="CASCADE"), nullable=False),
    name_column(),
    created_at_column(),
    sa.UniqueConstraint("pacticipant_id", "name"),
    sa.Index(None, "name"),
)
