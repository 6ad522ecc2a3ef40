"""Which publications each consumer version selector picks for a provider.

Branch and tag heads come from the maintained head tables, overall latest from one index probe
per integration, deployed and released from the (small) live deployment tables, so the cost of
a selector depends on how many consumers a provider has, not on how much history they have.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from broker.deployments import repository as deployments_repository
from broker.integrations import repository as integrations_repository
from broker.pacticipants.models import Pacticipant
from broker.pacticipants.tables import pacticipants
from broker.pacts import repository
from broker.pacts.models import Publication
from broker.pacts.selectors import Selector
from broker.pacts.tables import latest_branch_pacts
from broker.versions.tables import branches


@dataclass(frozen=True)
class Selection:
    """One publication picked by one selector (and, for deployments, the environment)."""

    publication: Publication
    selector: Selector
    environment: str | None = None
    fallback_used: bool = False


def consumer_ids_for(connection: Connection, provider: Pacticipant, consumer_name: str | None) -> list[int]:
    ids = integrations_repository.consumer_ids_of(connection, provider.id)
    if consumer_name is None:
        return ids
    row = connection.execute(sa.select(pacticipants.c.id).where(pacticipants.c.name == consumer_name)).first()
    return [row.id] if row is not None and row.id in ids else []


def heads_of_branches(connection: Connection, provider_id: int, branch_ids: Sequence[int]) -> dict[int, int]:
    """consumer_id -> publication id of the newest pact on the given branches."""
    if not branch_ids:
        return {}
    rows = connection.execute(
        sa.select(latest_branch_pacts.c.consumer_id, latest_branch_pacts.c.pact_publication_id).where(
            latest_branch_pacts.c.provider_id == provider_id, latest_branch_pacts.c.branch_id.in_(list(branch_ids))
        )
    )
    return {row.consumer_id: row.pact_publication_id for row in rows}


def _branch_ids(connection: Connection, consumer_ids: Sequence[int], name: str) -> list[int]:
    if not consumer_ids:
        return []
    rows = connection.execute(
        sa.select(branches.c.id).where(branches.c.pacticipant_id.in_(list(consumer_ids)), branches.c.name == name)
    )
    return [row.id for row in rows]


def main_branch_ids(connection: Connection, consumer_ids: Sequence[int]) -> list[int]:
    if not consumer_ids:
        return []
    rows = connection.execute(
        sa.select(branches.c.id)
        .join(
            pacticipants,
            sa.and_(pacticipants.c.id == branches.c.pacticipant_id, pacticipants.c.main_branch == branches.c.name),
        )
        .where(pacticipants.c.id.in_(list(consumer_ids)))
    )
    return [row.id for row in rows]


def _load(connection: Connection, publication_ids: Sequence[int]) -> list[Publication]:
    return sorted(repository.publications_by_ids(connection, publication_ids), key=lambda p: p.consumer_version_id)


def _with_fallback(
    connection: Connection,
    provider: Pacticipant,
    selector: Selector,
    consumer_ids: list[int],
    primary: dict[int, int],
    fallback: dict[int, int],
) -> list[Selection]:
    selected = [Selection(p, selector) for p in _load(connection, list(primary.values()))]
    missing = {cid: pid for cid, pid in fallback.items() if cid not in primary}
    selected += [Selection(p, selector, fallback_used=True) for p in _load(connection, list(missing.values()))]
    return selected


@dataclass
class _Prefetched:
    """The main branch heads and the live publications of every consumer, when one statement
    answered both before the selectors were gone through (the verifiers' usual pair)."""

    main: list[Publication]
    live: list[tuple[Publication, str, str]]


def _prefetch(connection: Connection, provider: Pacticipant, selectors: Sequence[Selector]) -> _Prefetched | None:
    """On PostgreSQL, for `mainBranch` with `deployedOrReleased` (no consumer, no environment):
    both answered in one round trip instead of two."""
    if connection.dialect.name != "postgresql":
        return None
    plain = {s.kind for s in selectors if s.consumer is None and s.environment is None}
    if not {"main_branch", "deployed", "released"} <= plain:
        return None
    main, live = repository.main_heads_and_live(connection, provider.id)
    return _Prefetched(main, live)


def select(
    connection: Connection,
    provider: Pacticipant,
    selector: Selector,
    consumers: dict[str | None, list[int]] | None = None,
    prefetched: _Prefetched | None = None,
) -> list[Selection]:
    """The selector's picks; `consumers` remembers each consumer name's ids across the selectors of one request."""
    kind = selector.kind
    if prefetched is not None and selector.consumer is None and kind == "main_branch":
        return [Selection(p, selector) for p in prefetched.main]
    needs_consumers = selector.consumer is not None or kind not in ("main_branch", "deployed", "released")
    consumer_ids: list[int] = []
    if needs_consumers:
        known = consumers if consumers is not None else {}
        if selector.consumer not in known:
            known[selector.consumer] = consumer_ids_for(connection, provider, selector.consumer)
        consumer_ids = known[selector.consumer]
    if needs_consumers and not consumer_ids:
        return []
    if kind == "main_branch":
        main_heads = repository.main_branch_heads(connection, provider.id, consumer_ids if selector.consumer else None)
        return [Selection(p, selector) for p in main_heads]
    if kind == "branch":
        assert selector.branch is not None
        heads = heads_of_branches(connection, provider.id, _branch_ids(connection, consumer_ids, selector.branch))
        fallback: dict[int, int] = {}
        if selector.fallback_branch and len(heads) < len(consumer_ids):
            lacking = [cid for cid in consumer_ids if cid not in heads]
            fallback = heads_of_branches(
                connection, provider.id, _branch_ids(connection, lacking, selector.fallback_branch)
            )
        return _with_fallback(connection, provider, selector, consumer_ids, heads, fallback)
    if kind == "latest_tag":
        assert selector.tag is not None
        ids = repository.latest_publication_ids_for_tag(connection, provider.id, selector.tag, consumer_ids)
        by_consumer = {p.consumer_id: p.id for p in repository.publications_by_ids(connection, ids)}
        fallback = {}
        if selector.fallback_tag and len(by_consumer) < len(consumer_ids):
            lacking = [cid for cid in consumer_ids if cid not in by_consumer]
            fallback_ids = repository.latest_publication_ids_for_tag(
                connection, provider.id, selector.fallback_tag, lacking
            )
            fallback = {p.consumer_id: p.id for p in repository.publications_by_ids(connection, fallback_ids)}
        return _with_fallback(connection, provider, selector, consumer_ids, by_consumer, fallback)
    if kind == "all_tag":
        assert selector.tag is not None
        consumer_id = consumer_ids[0] if selector.consumer else None
        return [
            Selection(p, selector)
            for p in repository.publications_with_tag(connection, provider.id, selector.tag, consumer_id)
        ]
    if kind in ("deployed", "released"):
        environment_id = None
        if selector.environment is not None:
            environment = deployments_repository.find_environment(connection, name=selector.environment)
            if environment is None:
                return []
            environment_id = environment.id
        found = repository.publications_in_environments(
            connection,
            provider.id,
            kinds=[kind],
            environment_id=environment_id,
            consumer_ids=consumer_ids if selector.consumer else None,
        )
        return [Selection(publication, selector, environment=name) for publication, name, _ in found]
    consumer_id = consumer_ids[0] if selector.consumer else None
    ids = repository.latest_publication_ids_per_integration(connection, provider.id, consumer_id)
    return [Selection(p, selector) for p in _load(connection, ids)]


def select_all(connection: Connection, provider: Pacticipant, selectors: Sequence[Selector]) -> list[Selection]:
    """Every selector's picks; a deployed and a released selector for the same consumer and
    environment (what `deployedOrReleased` becomes) are answered by one query."""
    selections: list[Selection] = []
    handled: set[int] = set()
    later: dict[tuple[str, str | None, str | None], list[int]] = {}
    for index in reversed(range(len(selectors))):  # each selector's later twins, nearest last: linear
        selector = selectors[index]
        later.setdefault((selector.kind, selector.consumer, selector.environment), []).append(index)
    consumers: dict[str | None, list[int]] = {}
    prefetched = _prefetch(connection, provider, selectors)
    for index, selector in enumerate(selectors):
        later[(selector.kind, selector.consumer, selector.environment)].pop()
        if index in handled:
            continue
        twin_kind = {"deployed": "released", "released": "deployed"}.get(selector.kind)
        candidates = later.get((twin_kind, selector.consumer, selector.environment), []) if twin_kind else []
        twin = next((other for other in reversed(candidates) if other not in handled), None)
        if twin is None:
            selections += select(connection, provider, selector, consumers, prefetched)
            continue
        handled.add(twin)
        selections += _select_deployed_and_released(connection, provider, selector, selectors[twin], prefetched)
    return selections


def _select_deployed_and_released(
    connection: Connection,
    provider: Pacticipant,
    first: Selector,
    second: Selector,
    prefetched: _Prefetched | None = None,
) -> list[Selection]:
    by_kind = {first.kind: first, second.kind: second}
    if prefetched is not None and first.consumer is None and first.environment is None:
        return [Selection(publication, by_kind[kind], environment=name) for publication, name, kind in prefetched.live]
    consumer_ids = consumer_ids_for(connection, provider, first.consumer) if first.consumer else None
    if consumer_ids == []:
        return []
    environment_id = None
    if first.environment is not None:
        environment = deployments_repository.find_environment(connection, name=first.environment)
        if environment is None:
            return []
        environment_id = environment.id
    found = repository.publications_in_environments(
        connection,
        provider.id,
        kinds=["deployed", "released"],
        environment_id=environment_id,
        consumer_ids=consumer_ids,
    )
    return [Selection(publication, by_kind[kind], environment=name) for publication, name, kind in found]


def default_selections(connection: Connection, provider: Pacticipant) -> list[Selection]:
    """No selectors: each consumer's main branch head (else latest tagged like it, else latest),
    plus everything currently deployed or released."""
    consumer_ids = integrations_repository.consumer_ids_of(connection, provider.id)
    if not consumer_ids:
        return []
    main_heads = repository.main_branch_heads(connection, provider.id, None)
    selections = [Selection(p, Selector(main_branch=True, latest=True)) for p in main_heads]
    with_heads = {p.consumer_id for p in main_heads}
    remaining = [cid for cid in consumer_ids if cid not in with_heads]
    if remaining:
        main_names = {
            row.id: row.main_branch
            for row in connection.execute(
                sa.select(pacticipants.c.id, pacticipants.c.main_branch).where(pacticipants.c.id.in_(remaining))
            )
        }
        for consumer_id in remaining:
            main = main_names.get(consumer_id)
            if main:
                ids = repository.latest_publication_ids_for_tag(connection, provider.id, main, [consumer_id])
                if ids:
                    selections += [Selection(p, Selector(tag=main, latest=True)) for p in _load(connection, ids)]
                    continue
            latest = repository.latest_publication(connection, provider.id, consumer_id)
            if latest is not None:
                selections.append(Selection(latest, Selector(latest=True)))
    selections += _select_deployed_and_released(connection, provider, Selector(deployed=True), Selector(released=True))
    return selections
