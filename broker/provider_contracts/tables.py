"""Storage for provider contracts and their comparisons with pacts.

* `provider_contract_contents`: one row per document SHA, whoever published it.
* `provider_contracts`: a provider version published a document, with its self-verification.
* `cross_contract_results`: one pact content compared with one document content, stored once per
  pair (the comparison depends on nothing else), with the comparator version that made it.
"""

from __future__ import annotations

import sqlalchemy as sa

from broker.storage.schema import NAME_LENGTH, JsonText, UtcDateTime, created_at_column, metadata

provider_contract_contents = sa.Table(
    "provider_contract_contents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sha", sa.String(40), nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("content_type", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("specification", sa.String(32), nullable=False),
    created_at_column(),
    sa.UniqueConstraint("sha"),
)

provider_contracts = sa.Table(
    "provider_contracts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("provider_id", sa.Integer, sa.ForeignKey("pacticipants.id", ondelete="CASCADE"), nullable=False),
    sa.Column("provider_version_id", sa.Integer, sa.ForeignKey("versions.id", ondelete="CASCADE"), nullable=False),
    sa.Column("content_id", sa.Integer, sa.ForeignKey("provider_contract_contents.id"), nullable=False),
    sa.Column("verification_success", sa.Boolean, nullable=True),
    sa.Column("verification_content", sa.Text, nullable=True),
    sa.Column("verification_content_type", sa.String(NAME_LENGTH), nullable=True),
    sa.Column("verification_format", sa.String(NAME_LENGTH), nullable=True),
    sa.Column("verifier", sa.String(NAME_LENGTH), nullable=True),
    sa.Column("verifier_version", sa.String(NAME_LENGTH), nullable=True),
    created_at_column(),
    sa.Column("updated_at", UtcDateTime(), nullable=True),
    sa.UniqueConstraint("provider_version_id"),
    sa.Index(None, "provider_id", "provider_version_id"),
    sa.Index(None, "content_id"),
)

cross_contract_results = sa.Table(
    "cross_contract_results",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("pact_content_id", sa.Integer, sa.ForeignKey("pact_contents.id", ondelete="CASCADE"), nullable=False),
    sa.Column(
        "contract_content_id",
        sa.Integer,
        sa.ForeignKey("provider_contract_contents.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("success", sa.Boolean, nullable=False),
    sa.Column("results", JsonText(), nullable=False),
    sa.Column("problem", sa.Text, nullable=True),
    sa.Column("comparator_version", sa.String(32), nullable=False),
    created_at_column(),
    sa.UniqueConstraint("pact_content_id", "contract_content_id"),
    sa.Index(None, "contract_content_id"),
)
