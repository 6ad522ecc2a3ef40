"""can-i-deploy and the matrix: resolve selectors, fetch rows per integration, apply latestby
and ignore, then summarise.

Rows for a provider whose selectors name specific versions (an environment, a tag head, a
version) get one row per such provider version, so a second deployed target that never verified
the pact makes the verdict unknown rather than being silently absent.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.engine import Connection

from broker.matrix import repository
from broker.matrix.parse_query import MatrixQuery
from broker.matrix.query_results import ConsideredRow, QueryResults, summarise
from broker.matrix.repository import MatrixRow
from broker.matrix.selector_resolver import Resolution, resolve
from broker.matrix.selectors import ResolvedSelector

MAX_EXPANDED_PROVIDER_VERSIONS = 50


def _version_ids(selectors: list[ResolvedSelector]) -> list[int] | None:
    if not selectors or any(s.all_versions for s in selectors):
        return None
    return [s.version_id for s in selectors if s.version_id is not None]


def _expand_per_provider_version(rows: list[MatrixRow], provider_selectors: list[ResolvedSelector]) -> list[MatrixRow]:
    wanted = {s.version_id: s.version_number for s in provider_selectors if s.version_id is not None}
    if not wanted:
        return rows
    by_publication: dict[int, list[MatrixRow]] = {}
    for row in rows:
        by_publication.setdefault(row.pact_publication_id, []).append(row)
    expanded: list[MatrixRow] = []
    for publication_rows in by_publication.values():
        present = {row.provider_version_id for row in publication_rows if row.provider_version_id is not None}
        expanded += [row for row in publication_rows if row.provider_version_id is not None]
        template = publication_rows[0]
        for version_id, number in wanted.items():
            if version_id not in present:
                expanded.append(
                    replace(
                        template,
                        provider_version_id=version_id,
                        provider_version_number=number,
                        verification_id=None,
                        success=None,
                        verified_at=None,
                    )
                )
    return expanded


def _apply_latestby(rows: list[MatrixRow], latestby: str | None) -> list[MatrixRow]:
    if latestby in (None, "cvpv"):
        return rows
    kept: dict[tuple[int, ...], MatrixRow] = {}
    unverified: list[MatrixRow] = []
    for row in rows:
        if latestby == "cp":
            key: tuple[int, ...] = (row.consumer_id, row.provider_id)
        else:
            key = (row.consumer_version_id, row.provider_id)
        if row.provider_version_id is None and latestby == "cvp":
            unverified.append(row)
            continue
        current = kept.get(key)
        order = (row.consumer_version_id, row.provider_version_id or 0)
        if current is None or order > (current.consumer_version_id, current.provider_version_id or 0):
            kept[key] = row
    verified_keys = {(row.consumer_version_id, row.provider_id) for row in kept.values()}
    return list(kept.values()) + [
        row for row in unverified if (row.consumer_version_id, row.provider_id) not in verified_keys
    ]


def _is_ignored(row: MatrixRow, ignore: list[ResolvedSelector]) -> bool:
    for selector in ignore:
        if not selector.pacticipant_exists or not selector.version_exists:
            continue
        for pacticipant_id, version_id in (
            (row.consumer_id, row.consumer_version_id),
            (row.provider_id, row.provider_version_id),
        ):
            if selector.pacticipant_id == pacticipant_id and (
                selector.version_id is None or selector.version_id == version_id
            ):
                return True
    return False


def _fetch_rows(connection: Connection, query: MatrixQuery, resolution: Resolution) -> list[MatrixRow]:
    by_pacticipant: dict[int, list[ResolvedSelector]] = {}
    for selector in resolution.all_selectors:
        if selector.pacticipant_id is not None:
            by_pacticipant.setdefault(selector.pacticipant_id, []).append(selector)
    version_sets = {pid: _version_ids(selectors) for pid, selectors in by_pacticipant.items()}
    limit = max(query.limit, 100) * 10
    pairs = [(i.consumer_id, i.provider_id) for i in resolution.integrations]
    names = {i.consumer_id: i.consumer_name for i in resolution.integrations}
    names.update({i.provider_id: i.provider_name for i in resolution.integrations})
    if pairs and all(version_sets.get(pid) is not None for pair in pairs for pid in pair):
        # every side names specific versions (can-i-deploy to an environment, tag or branch): one query
        fetched = repository.rows_for_specific_versions(
            connection,
            pairs=pairs,
            names=names,
            consumer_version_ids={vid for consumer, _ in pairs for vid in version_sets[consumer] or []},
            provider_version_ids={vid for _, provider in pairs for vid in version_sets[provider] or []},
            limit=limit,
        )
        grouped: dict[tuple[int, int], list[MatrixRow]] = {pair: [] for pair in pairs}
        for row in fetched:
            grouped[(row.consumer_id, row.provider_id)].append(row)
    else:
        grouped = {
            (i.consumer_id, i.provider_id): repository.rows_for_integration(
                connection,
                consumer_id=i.consumer_id,
                consumer_name=i.consumer_name,
                provider_id=i.provider_id,
                provider_name=i.provider_name,
                consumer_version_ids=version_sets.get(i.consumer_id),
                provider_version_ids=version_sets.get(i.provider_id),
                limit=limit,
            )
            for i in resolution.integrations
        }
    rows: list[MatrixRow] = []
    for (consumer_id, provider_id), pair_rows in grouped.items():
        provider_ids = version_sets.get(provider_id)
        if (
            version_sets.get(consumer_id) is not None
            and provider_ids
            and len(provider_ids) <= MAX_EXPANDED_PROVIDER_VERSIONS
        ):
            pair_rows = _expand_per_provider_version(pair_rows, by_pacticipant.get(provider_id, []))
        rows += pair_rows
    return rows


def _load_labels(connection: Connection, results: QueryResults) -> None:
    version_ids = set()
    for considered in results.rows:
        version_ids.add(considered.row.consumer_version_id)
        if considered.row.provider_version_id is not None:
            version_ids.add(considered.row.provider_version_id)
    results.version_labels, results.version_environments = repository.version_labels(connection, version_ids)


def find(connection: Connection, query: MatrixQuery) -> QueryResults:
    resolution = resolve(connection, query)
    rows = _apply_latestby(_fetch_rows(connection, query, resolution), query.latestby)
    rows.sort(
        key=lambda r: (
            r.consumer_name,
            -r.consumer_version_id,
            r.provider_name,
            -(r.provider_version_id or 0),
        )
    )
    considered = [ConsideredRow(row, _is_ignored(row, resolution.ignore)) for row in rows]
    summary = summarise(query, resolution, considered)
    if query.success is not None:
        considered = [c for c in considered if c.row.success in query.success]
    results = QueryResults(query, resolution, considered[: query.limit], summary)
    _load_labels(connection, results)
    return results
