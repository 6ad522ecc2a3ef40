"""Branches, tags and current environments of many versions at once, for tables of versions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.engine import Connection

from broker.deployments import repository as deployments_repository
from broker.versions import branches, tags
from broker.versions.models import Reference


@dataclass
class Labels:
    branches: list[Reference] = field(default_factory=list)
    tags: list[Reference] = field(default_factory=list)
    environments: list[str] = field(default_factory=list)


def labels_of(connection: Connection, version_ids: Iterable[int | None]) -> dict[int, Labels]:
    """Three queries whatever the number of versions."""
    wanted = sorted({vid for vid in version_ids if vid is not None})
    if not wanted:
        return {}
    on_branches = branches.branches_of(connection, wanted)
    with_tags = tags.tags_of(connection, wanted)
    in_environments = deployments_repository.environment_names_of(connection, wanted)
    return {vid: Labels(on_branches[vid], with_tags[vid], in_environments[vid]) for vid in wanted}
