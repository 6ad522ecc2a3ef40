"""can-i-deploy and the matrix, in the official broker's order of steps: resolve selectors, fetch
rows per integration, apply `latestby`, filter by `success`, keep the `limit` newest, split off
ignored rows, then summarise what is left.

Without `latestby` every pact revision and every verification is a row; with it, each consumer
version's current revision and the latest verification per provider version. A provider
version's contract makes a row where that version published no verification of the pact
(`contract_rows`).

One deliberate addition to the official rows: when the selectors name several provider versions
(e.g. several targets deployed in an environment) and only some of them verified a pact, each
of the others gets an unverified row, so it makes the verdict unknown rather than being silently
absent. When none of them verified it, the answer is the official single unverified row.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.engine import Connection

from broker.matrix import contract_rows, repository
from broker.matrix.parse_query import MatrixQuery
from broker.matrix.query_results import ConsideredRow, QueryResults, summarise
from broker.matrix.repository import MatrixRow
from broker.matrix.selector_resolver import Resolution, resolve
from broker.matrix.selectors import ResolvedSelector
from broker.storage.plans import generic_plans

MAX_EXPANDED_PROVIDER_VERSIONS = 50
LATEST_BY_KEYS = {
    "cvpv": lambda row: (row.consumer_id, row.consumer_version_id, row.provider_id, row.provider_version_id),
    "cvp": lambda row: (row.consumer_id, row.consumer_version_id, row.provider_id),
    "cp": lambda row: (row.consumer_id, row.provider_id),
}


def _version_ids(selectors: list[ResolvedSelector]) -> list[int] | None:
    if not selectors or any(s.all_versions for s in selectors):
        return None
    return [s.version_id for s in selectors if s.version_id is not None]


def _expand_per_provider_version(rows: list[MatrixRow], provider_selectors: list[ResolvedSelector]) -> list[MatrixRow]:
    wanted = {s.version_id: s.version_number for s in provider_selectors if s.version_id is not None}
    if not wanted:
        return rows
    by_revision: dict[tuple[int, int], list[MatrixRow]] = {}
    for row in rows:
        by_revision.setdefault((row.pact_publication_id, row.revision_number), []).append(row)
    expanded: list[MatrixRow] = []
    for revision_rows in by_revision.values():
        present = {row.provider_version_id for row in revision_rows if row.provider_version_id is not None}
        expanded += revision_rows
        if not present:
            continue  # no selected provider version verified it: the one unverified row says so
        template = revision_rows[0]
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
                        contract=None,
                    )
                )
    return expanded


def _newest_action_first(rows: list[MatrixRow]) -> list[MatrixRow]:
    return sorted(
        rows,
        key=lambda r: (r.last_action_at, r.pact_publication_id, r.revision_number, r.verification_id or 0),
        reverse=True,
    )


def _apply_latestby(rows: list[MatrixRow], latestby: str | None) -> list[MatrixRow]:
    """Per group, the row from the latest provider version; a group of unverified rows keeps its
    newest. `rows` come newest action first."""
    if latestby is None:
        return rows
    groups: dict[tuple[int | None, ...], list[MatrixRow]] = {}
    for row in rows:
        groups.setdefault(LATEST_BY_KEYS[latestby](row), []).append(row)
    kept = []
    for group in groups.values():
        if group[0].provider_version_id is None:
            kept.append(group[0])
        else:
            kept.append(max(group, key=lambda r: (r.provider_version_id or 0, r.consumer_version_id)))
    return kept


def _is_ignored(row: MatrixRow, ignore: list[ResolvedSelector]) -> bool:
    for selector in ignore:
        if not selector.pacticipant_exists or not selector.version_exists:
            continue
        for pacticipant_id, version_id in (
            (row.consumer_id, row.consumer_version_id),
            (row.provider_id, row.provider_version_id),
        ):
            if selector.pacticipant_id == pacticipant_id and (
                selector.only_pacticipant_name or selector.version_id == version_id
            ):
                return True
    return False


def _fetch_rows(connection: Connection, query: MatrixQuery, resolution: Resolution) -> list[MatrixRow]:
    by_pacticipant: dict[int, list[ResolvedSelector]] = {}
    for selector in resolution.all_selectors:
        if selector.pacticipant_id is not None:
            by_pacticipant.setdefault(selector.pacticipant_id, []).append(selector)
    version_sets = {pid: _version_ids(selectors) for pid, selectors in by_pacticipant.items()}
    every_row = query.latestby is None
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
            version_numbers={
                s.version_id: s.version_number
                for s in resolution.all_selectors
                if s.version_id is not None and s.version_number is not None
            },
            consumer_version_ids={vid for consumer, _ in pairs for vid in version_sets[consumer] or []},
            provider_version_ids={vid for _, provider in pairs for vid in version_sets[provider] or []},
            every_row=every_row,
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
                unverified_rows=i.consumer_id in by_pacticipant,
                every_row=every_row,
                limit=_integration_limit(query, limit),
            )
            for i in resolution.integrations
        }
    grouped = contract_rows.add_contract_rows(
        connection,
        grouped,
        names=names,
        version_sets=version_sets,
        selected=by_pacticipant.keys(),
        every_row=every_row,
        limit=limit,
        with_contracts=resolution.with_contracts,
    )
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


def _integration_limit(query: MatrixQuery, limit: int) -> int:
    """How many of an integration's newest rows to fetch. With `latestby=cvpv` and no `success`
    filter each fetched row is its own group and survives, so the `limit` newest are exactly the
    rows kept (the API's and the matrix page's default view of an integration); otherwise more,
    for the grouping and the filter to choose from."""
    return query.limit if query.latestby == "cvpv" and query.success is None else limit


def _display_order(row: MatrixRow) -> tuple[object, ...]:
    """Consumer A-Z, newest consumer version and revision first, provider A-Z, then unverified
    rows before the newest provider version and verification (the official broker's row order)."""
    return (
        row.consumer_name,
        -row.consumer_version_id,
        -row.revision_number,
        row.provider_name,
        row.provider_version_id is not None,
        -(row.provider_version_id or 0),
        row.judged,
        -(row.verification_id or 0),
    )


def _load_labels(connection: Connection, results: QueryResults) -> None:
    version_ids = set()
    for considered in results.rows:
        version_ids.add(considered.row.consumer_version_id)
        if considered.row.provider_version_id is not None:
            version_ids.add(considered.row.provider_version_id)
    results.version_labels, results.version_environments = repository.version_labels(connection, version_ids)


def _names_its_versions(query: MatrixQuery) -> bool:
    """can-i-deploy's shape: every selector names versions and the query a destination, so
    every statement finds rows by key (names, ids, short id lists), never a range of history."""
    return query.has_destination and not any(s.only_pacticipant for s in query.selectors)


def find(connection: Connection, query: MatrixQuery) -> QueryResults:
    if _names_its_versions(query):
        with generic_plans(connection):
            return _find(connection, query)
    return _find(connection, query)


def _find(connection: Connection, query: MatrixQuery) -> QueryResults:
    resolution = resolve(connection, query)
    rows = _apply_latestby(_newest_action_first(_fetch_rows(connection, query, resolution)), query.latestby)
    if query.success is not None:
        rows = [row for row in rows if row.success in query.success]
    rows = _newest_action_first(rows)[: query.limit]
    considered = sorted((row for row in rows if not _is_ignored(row, resolution.ignore)), key=_display_order)
    ignored = sorted((row for row in rows if _is_ignored(row, resolution.ignore)), key=_display_order)
    summary = summarise(query, resolution, considered, ignored)
    shown = [ConsideredRow(row, False) for row in considered] + [ConsideredRow(row, True) for row in ignored]
    results = QueryResults(query, resolution, shown, summary)
    _load_labels(connection, results)
    return results
