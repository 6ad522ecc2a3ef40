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


def _untagged_of_pair(provider_id: int, consumer_id: int) -> list[Any]:
    return [
        pact_publications.c.provider_id == provider_id,
        pact_publications.c.consumer_id == consumer_id,
        ~sa.exists().where(tags.c.version_id == pact_publications.c.consumer_version_id),
    ]


def latest_publication(connection: Connection, provider_id: int, consumer_id: int) -> Publication | None:
    """The newest pact of the pair published by a consumer version with no tags."""
    newest = (
        sa.select(sa.func.max(pact_publications.c.consumer_version_id))
        .where(*_untagged_of_pair(provider_id, consumer_id))
        .scalar_subquery()
    )
    found = pacts_repository.publications_where(
        connection,
        pact_publications.c.provider_id == provider_id,
        pact_publications.c.consumer_version_id == newest,
    )
    return found[0] if found else None


def latest_verification(connection: Connection, provider_id: int, consumer_id: int) -> Verification | None:
    """The newest verification of a content that an untagged consumer version published."""
    contents = sa.select(pact_publications.c.pact_version_id).where(*_untagged_of_pair(provider_id, consumer_id))
    found = verifications_repository.where(
        connection,
        verifications.c.provider_id == provider_id,
        verifications.c.consumer_id == consumer_id,
        verifications.c.pact_version_id.in_(contents),
        limit=1,
    )
    return found[0] if found else None
