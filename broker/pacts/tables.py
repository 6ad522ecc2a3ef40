"""Storage for pact content, pact versions and publications, and the per-branch/tag heads.

* `pact_contents`: one row per content SHA, whoever published it.
* `pact_versions`: that content between one consumer and one provider; verifications attach here,
  so one verification counts for every consumer version that published the same content.
* `pact_publications`: a consumer version published a pact version for a provider (its current
  revision, when republishing changed content is allowed).
* `superseded_pact_revisions`: the earlier revisions a republication replaced, so the matrix can
  show each revision as its own row when no `latestby` is given, as the official broker does.
* `latest_branch_pacts` / `latest_tag_pacts`: the newest publication per provider and consumer
  branch or tag, maintained on write so that selectors and WIP never scan history.
"""

from __future__ import annotations

import sqlalchemy as sa

from broker.storage.schema import NAME_LENGTH, UtcDateTime, created_at_column, metadata

pact_contents = sa.Table(
    "pact_contents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sha", sa.String(40), nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    created_at_column(),
    sa.UniqueConstraint("sha"),
)

pact_versions = sa.Table(
    "pact_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("consumer_id", sa.Integer, sa.ForeignKey("pacticipants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("provider_id", sa.Integer, sa.ForeignKey("pacticipants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("content_id", sa.Integer, sa.ForeignKey("pact_contents.id"), nullable=False),
    created_at_column(),
    sa.UniqueConstraint("consumer_id", "provider_id", "content_id"),
    sa.Index(None, "provider_id", "consumer_id"),
    sa.Index(None, "content_id"),
)

pact_publications = sa.Table(
    "pact_publications",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("consumer_id", sa.Integer, sa.ForeignKey("pacticipants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("provider_id", sa.Integer, sa.ForeignKey("pacticipants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("consumer_version_id", sa.Integer, sa.ForeignKey("versions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("pact_version_id", sa.Integer, sa.ForeignKey("pact_versions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("revision_number", sa.Integer, nullable=False, default=1),
    created_at_column(),
    sa.Column("updated_at", UtcDateTime(), nullable=True),
    sa.UniqueConstraint("consumer_version_id", "provider_id"),
    sa.Index(None, "provider_id", "consumer_id", "consumer_version_id"),
    sa.Index(None, "pact_version_id", "consumer_version_id"),
    sa.Index(None, "provider_id", "created_at"),
)

superseded_pact_revisions = sa.Table(
    "superseded_pact_revisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "pact_publication_id",
        sa.Integer,
        sa.ForeignKey("pact_publications.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("revision_number", sa.Integer, nullable=False),
    sa.Column("pact_version_id", sa.Integer, sa.ForeignKey("pact_versions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("pact_publication_id", "revision_number"),
    sa.Index(None, "pact_version_id"),
)

latest_branch_pacts = sa.Table(
    "latest_branch_pacts",
    metadata,
    sa.Column("provider_id", sa.Integer, sa.ForeignKey("pacticipants.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("branch_id", sa.Integer, sa.ForeignKey("branches.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("consumer_id", sa.Integer, sa.ForeignKey("pacticipants.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "pact_publication_id",
        sa.Integer,
        sa.ForeignKey("pact_publications.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("consumer_version_id", sa.Integer, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Index(None, "provider_id", "created_at"),
    sa.Index(None, "branch_id"),
    sa.Index(None, "pact_publication_id"),
)

latest_tag_pacts = sa.Table(
    "latest_tag_pacts",
    metadata,
    sa.Column("provider_id", sa.Integer, sa.ForeignKey("pacticipants.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("consumer_id", sa.Integer, sa.ForeignKey("pacticipants.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_name", sa.String(NAME_LENGTH), primary_key=True),
    sa.Column(
        "pact_publication_id",
        sa.Integer,
        sa.ForeignKey("pact_publications.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("consumer_version_id", sa.Integer, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Index(None, "provider_id", "created_at"),
    sa.Index(None, "pact_publication_id"),
)
