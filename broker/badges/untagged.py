"""The pact and verification behind the `latest-untagged` badge: consumer versions without tags.

The official broker (`tag: :untagged`) reads the newest pact from a consumer version that has no
tag, and the newest verification of any content such a version published. Kept here rather than
in the pacts and verifications repositories because only this badge asks it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.pacts import repository as pacts_repository
from broker.pacts.models import Publication
from broker.pacts.tables import pact_publications
from broker.verifications import repository as verifications_repository
from broker.verifications.models import Verification
from broker.verifications.tables import verifications
from broker.versions.tables import tags


def _untagged(publications: Any) -> Any:
    return ~sa.exists().where(tags.c.version_id == publications.c.consumer_version_id)


def latest_publication(connection: Connection, provider_id: int, consumer_id: int) -> Publication | None:
    """The newest pact of the pair published by a consumer version with no tags (walking the
    pair's publications newest first, so it stops at the first untagged one)."""
    newest = connection.execute(
        sa.select(pact_publications.c.id)
        .where(
            pact_publications.c.provider_id == provider_id,
            pact_publications.c.consumer_id == consumer_id,
            _untagged(pact_publications),
        )
        .order_by(pact_publications.c.consumer_version_id.desc())
        .limit(1)
    ).scalar()
    found = pacts_repository.publications_by_ids(connection, [newest] if newest is not None else [])
    return found[0] if found else None


def latest_verification(connection: Connection, provider_id: int, consumer_id: int) -> Verification | None:
    """The newest verification of a content that an untagged consumer version published
    (walking the pair's verifications newest first)."""
    published = pact_publications.alias("untagged_publications")
    newest = connection.execute(
        sa.select(verifications.c.id)
        .where(
            verifications.c.provider_id == provider_id,
            verifications.c.consumer_id == consumer_id,
            sa.exists().where(
                published.c.pact_version_id == verifications.c.pact_version_id,
                published.c.provider_id == provider_id,
                published.c.consumer_id == consumer_id,
                _untagged(published),
            ),
        )
        .order_by(verifications.c.created_at.desc(), verifications.c.id.desc())
        .limit(1)
    ).scalar()
    return verifications_repository.find(connection, newest) if newest is not None else None
