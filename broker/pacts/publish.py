"""Publishing contracts: `POST /contracts/publish` and the legacy `PUT /pacts/.../version/{v}`.

The order is the official broker's: the version (branch, build URL), then tags, then each pact.
A publication for a consumer version is immutable: the same content again is a no-op (so the
clients' retries are safe), different content is a conflict unless the operator allows it.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any, Literal

from sqlalchemy.engine import Connection

from broker.errors import ConflictError, InvalidInputError
from broker.integrations import repository as integrations_repository
from broker.limits import MAX_CONTRACTS, at_most
from broker.names import name_problem, url_problem
from broker.pacticipants import service as pacticipants
from broker.pacticipants.models import Pacticipant
from broker.pacts import content, heads, new_publication, publish_lookup, repository
from broker.pacts.models import Publication
from broker.pacts.new_publication import NewPublication
from broker.provider_contracts import cross_contracts
from broker.storage.schema import utcnow
from broker.versions import service as versions
from broker.versions.models import Version
from broker.webhooks import repository as webhooks_repository
from broker.webhooks import triggers
from broker.webhooks.events import EventName
from broker.webhooks.repository import EnabledWebhook

Outcome = Literal["created", "republished", "overwritten", "merged"]


@dataclass(frozen=True)
class Contract:
    consumer_name: str
    provider_name: str
    document: dict[str, Any]
    on_conflict: Literal["overwrite", "merge"] = "overwrite"

    @cached_property
    def sha(self) -> str:
        return content.content_sha(self.document)

    @cached_property
    def stored_document(self) -> dict[str, Any]:
        """The document as stored: every interaction with its `_id`."""
        return content.with_interaction_ids(self.document)

    @cached_property
    def stored_text(self) -> str:
        """`stored_document` as JSON text."""
        return json.dumps(self.stored_document, ensure_ascii=False)

    def hashed(self) -> Contract:
        """Itself, with its SHA and stored text worked out now (before a transaction begins)."""
        _ = self.sha, self.stored_text
        return self


@dataclass(frozen=True)
class PublishedPact:
    publication: Publication
    outcome: Outcome
    events: list[str]


@dataclass(frozen=True)
class PublishResult:
    pacticipant: Pacticipant
    version: Version
    version_created: bool
    branch: str | None
    tags: list[str]
    pacts: list[PublishedPact] = field(default_factory=list)


def decode_content(encoded: object, field_path: str) -> dict[str, Any]:
    """Base64 (strict) of UTF-8 JSON that is a pact, or a 400 naming the contract."""
    if not isinstance(encoded, str):
        raise InvalidInputError(f"{field_path} must be a base64 string", {field_path: ["must be a base64 string"]})
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInputError(
            f"{field_path} is not valid base64", {field_path: ["content is not valid base64"]}
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInputError(f"{field_path} is not UTF-8", {field_path: ["content is not UTF-8"]}) from None
    return content.parse_pact(text, field_path)


def prepare_contracts(pacticipant_name: str, raw: object) -> list[Contract]:
    """The request's `contracts`, decoded and checked; every problem is reported by field path."""
    if not isinstance(raw, list) or not raw:
        raise InvalidInputError("contracts must be a non-empty list", {"contracts": ["must be a non-empty list"]})
    at_most(raw, MAX_CONTRACTS, "contracts", "contracts")
    contracts: list[Contract] = []
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(raw):
        path = f"contracts.{index}"
        if not isinstance(item, dict):
            errors[path] = ["must be an object"]
            continue
        problems = _contract_problems(pacticipant_name, item)
        document = None
        try:
            document = decode_content(item.get("content"), f"{path}.content")
        except InvalidInputError as error:
            problems += [message for messages in dict(error.errors).values() for message in messages]  # type: ignore[arg-type]
        if document is not None:
            problems += _content_problems(item, document)
        if problems:
            errors[path] = problems
            continue
        assert document is not None
        contract = Contract(item["consumerName"], item["providerName"], document, item.get("onConflict", "overwrite"))
        contracts.append(contract.hashed())
    if errors:
        raise InvalidInputError("The contracts are invalid", errors)
    return contracts


def _contract_problems(pacticipant_name: str, item: dict[str, Any]) -> list[str]:
    problems = []
    consumer, provider = item.get("consumerName"), item.get("providerName")
    if not isinstance(consumer, str):
        problems.append("consumerName is required")
    elif consumer != pacticipant_name:
        problems.append(f"consumerName '{consumer}' does not match pacticipantName '{pacticipant_name}'")
    provider_problem = name_problem(provider, "providerName")
    if provider_problem:
        problems.append(provider_problem)
    if item.get("specification", "pact") != "pact":
        problems.append("specification must be 'pact'")
    if item.get("contentType", "application/json") != "application/json":
        problems.append("contentType must be 'application/json'")
    if item.get("onConflict", "overwrite") not in ("overwrite", "merge"):
        problems.append("onConflict must be 'overwrite' or 'merge'")
    return problems


def _content_problems(item: dict[str, Any], document: dict[str, Any]) -> list[str]:
    problems = []
    inside_consumer = content.party_name(document, "consumer")
    if inside_consumer is not None and inside_consumer != item.get("consumerName"):
        problems.append(f"consumer name in the pact ('{inside_consumer}') does not match consumerName")
    inside_provider = content.party_name(document, "provider")
    if inside_provider is not None and inside_provider != item.get("providerName"):
        problems.append(f"provider name in the pact ('{inside_provider}') does not match providerName")
    return problems


def _conflict_text(consumer: str, number: str, provider: str) -> str:
    return (
        f"Cannot change the content of the pact for {consumer} version {number} and provider {provider}, "
        "as race conditions will cause unreliable results for can-i-deploy. Each pact must be published "
        "with a unique consumer version number. Some Pact libraries generate random data when a concrete "
        "value for a type matcher is not specified, and this can cause the contract to mutate - ensure you "
        "have given example values for all type matchers. For more information see "
        "https://docs.pact.io/go/versioning"
    )


def _conflict(
    consumer: str, number: str, provider: str, old: dict[str, Any], new: dict[str, Any]
) -> list[dict[str, str]]:
    """The notices of one changed pact: the refusal (an error) and what changed (info)."""
    return [
        {"type": "error", "text": _conflict_text(consumer, number, provider)},
        {"type": "info", "text": content.describe_differences(old, new)},
    ]


def _raise_conflict(notices: Sequence[dict[str, str]], field: str = "contracts") -> None:
    """409 as the official broker answers it: every notice, and the errors' texts as one list
    under `contracts` (`pact` for the legacy PUT)."""
    raise ConflictError(
        "Pact content has changed for an existing consumer version",
        {field: [notice["text"] for notice in notices if notice["type"] == "error"]},
        notices,
    )


def check_for_conflicts(
    connection: Connection,
    version: Version,
    contracts: Sequence[Contract],
    providers: Mapping[str, Pacticipant],
) -> None:
    """Before any pact is written: a 409 if any contract changes the pact this existing consumer
    version already published (`merge` too: the unmerged new content is what is compared).
    `providers` are the contracts' providers that exist, by name."""
    notices: list[dict[str, str]] = []
    for contract in contracts:
        provider = providers.get(contract.provider_name)
        existing = repository.find_publication(connection, provider.id, version.id) if provider else None
        if existing is not None and existing.sha != contract.sha:
            old_document = repository.document_of(connection, existing.pact_version_id)
            consumer, number = version.pacticipant_name, version.number
            notices += _conflict(consumer, number, contract.provider_name, old_document, contract.document)
    if notices:
        _raise_conflict(notices)


def _store(
    connection: Connection, consumer: Pacticipant, provider: Pacticipant, contract: Contract
) -> tuple[int, str, bool, int]:
    """The pact version (content between this pair) for the contract, stored once per SHA;
    whether this pair had never published that content before; and the content's id."""
    sha = contract.sha
    content_id = repository.content_id_for(connection, sha, lambda: contract.stored_text)
    pact_version_id, is_new = repository.pact_version_id_for(connection, consumer.id, provider.id, content_id)
    return pact_version_id, sha, is_new, content_id


def publish_pact(
    connection: Connection,
    consumer: Pacticipant,
    version: Version,
    contract: Contract,
    *,
    allow_modification: bool,
    field_path: str = "contracts",
    version_is_new: bool = False,
    with_webhooks: bool = True,
    known: Mapping[str, Pacticipant] | None = None,
    labels: tuple[list[int], list[str]] | None = None,
    hooks: Sequence[EnabledWebhook] | None = None,
    with_contracts: Collection[int] | None = None,
    attempt: OneStatement | None = None,
) -> PublishedPact:
    """Publish one pact for a consumer version. `known` pacticipants, the version's `labels`
    (branch ids, tag names), the enabled `hooks` and the providers `with_contracts` save
    lookups when the caller already has them (for every pact of a publish at once); `attempt`:
    what writing it together with the publish's other pacts gave (PostgreSQL, a new version)."""
    provider = (known or {}).get(contract.provider_name) or pacticipants.ensure_pacticipant(
        connection, contract.provider_name, "providerName"
    )
    new_sha = contract.sha
    heads_moved = False  # the integration and the heads were written with the publication
    content_changed: bool | None = None  # None: not known yet, ask the database
    content_id: int | None = None  # the pact's content, when known without asking
    existing = None if version_is_new else repository.find_publication(connection, provider.id, version.id)
    outcome: Outcome
    new_content = False
    stored = contract  # what the pact's content is now (a merge stores another document)
    if existing is not None and existing.sha == new_sha:
        outcome = "republished"
        publication = existing
    elif existing is not None:
        old_document = repository.document_of(connection, existing.pact_version_id)
        if not allow_modification:
            _raise_conflict(
                _conflict(consumer.name, version.number, provider.name, old_document, contract.document), field_path
            )
        if contract.on_conflict == "merge":
            stored = replace(contract, document=content.merge_pacts(old_document, contract.document))
            outcome = "merged"
        else:
            outcome = "overwritten"
        pact_version_id, _, new_content, content_id = _store(connection, consumer, provider, stored)
        repository.replace_publication_content(connection, existing, pact_version_id)
        publication = repository.find_publication(connection, provider.id, version.id)  # type: ignore[assignment]
    elif (
        written := _insert_in_one_statement(connection, consumer, provider, version, contract, labels, attempt)
    ) is not None:
        publication, new_content, content_changed, content_id = written
        outcome = "created"
        heads_moved = True
    else:
        pact_version_id, sha, new_content, content_id = _store(connection, consumer, provider, contract)
        now = utcnow()
        new_id = repository.insert_publication(connection, consumer.id, provider.id, version.id, pact_version_id, now)
        if new_id is None:  # a concurrent publisher of the same version got there first: compare with theirs
            return publish_pact(
                connection, consumer, version, contract, allow_modification=allow_modification, field_path=field_path
            )
        publication = _first_revision(new_id, consumer, provider, version, pact_version_id, sha, now)
        outcome = "created"
    assert publication is not None
    events = [EventName.CONTRACT_PUBLISHED.value]
    if outcome != "republished":
        if not heads_moved:
            integrations_repository.record_contract_data(connection, consumer.id, provider.id)
            heads.publication_added(
                connection, publication.id, provider.id, consumer.id, version.id, publication.created_at, labels
            )
        if content_changed is None:
            content_changed = new_content or _content_changed(connection, publication)
        if content_changed:
            events.append(EventName.CONTRACT_CONTENT_CHANGED.value)
        if with_contracts is None or provider.id in with_contracts:
            cross_contracts.pact_published(
                connection,
                provider.id,
                publication.pact_version_id,
                has_contracts=True if with_contracts is not None else None,
                pact_content_id=content_id,
                pact_document=stored.stored_document,
            )
    if with_webhooks:
        events.extend(triggers.pact_published(connection, publication, events, hooks))
    return PublishedPact(publication, outcome, events)


OneStatement = tuple[NewPublication | None, datetime]  # what the one-statement write gave, and when


def _insert_all_in_one_statement(
    connection: Connection,
    consumer: Pacticipant,
    version: Version,
    contracts: Sequence[Contract],
    labels: tuple[list[int], list[str]],
    known: dict[str, Pacticipant],
) -> list[OneStatement] | None:
    """PostgreSQL, for a version created by this publish (none of its pacts exists yet): every
    pact written in one round trip, in order (None where the step-by-step path must settle it);
    None on SQLite. Providers named for the first time are created first, in the order the pacts
    would have created them; `known` gets them."""
    if connection.dialect.name != "postgresql" or not contracts:
        return None
    for contract in contracts:
        if contract.provider_name not in known:
            known[contract.provider_name] = pacticipants.ensure_pacticipant(
                connection, contract.provider_name, "providerName"
            )
    now = utcnow()
    written = new_publication.insert_many(
        connection,
        [new_publication.NewPact(known[c.provider_name].id, c.sha, c.stored_text) for c in contracts],
        consumer_id=consumer.id,
        version_id=version.id,
        now=now,
        branch_ids=labels[0],
        tag_names=labels[1],
    )
    return [(item, now) for item in written]


def _insert_in_one_statement(
    connection: Connection,
    consumer: Pacticipant,
    provider: Pacticipant,
    version: Version,
    contract: Contract,
    labels: tuple[list[int], list[str]] | None,
    attempt: OneStatement | None = None,
) -> tuple[Publication, bool, bool, int] | None:
    """PostgreSQL, the version's labels known: the new publication, whether its content is new
    between the pair, whether it changed since the previous consumer version and the content's
    id, written and read in one round trip (or taken from `attempt`, when the publish wrote all
    its pacts at once); None to go step by step."""
    if attempt is not None:
        written, now = attempt
    elif connection.dialect.name != "postgresql" or labels is None:
        return None
    else:
        now = utcnow()
        written = new_publication.insert(
            connection,
            consumer_id=consumer.id,
            provider_id=provider.id,
            version_id=version.id,
            sha=contract.sha,
            content=contract.stored_text,
            now=now,
            branch_ids=labels[0],
            tag_names=labels[1],
        )
    if written is None:
        return None
    publication = _first_revision(
        written.publication_id, consumer, provider, version, written.pact_version_id, contract.sha, now
    )
    return publication, written.new_content, written.content_changed, written.content_id


def _first_revision(
    publication_id: int,
    consumer: Pacticipant,
    provider: Pacticipant,
    version: Version,
    pact_version_id: int,
    sha: str,
    now: datetime,
) -> Publication:
    """A publication just written: the first revision of this consumer version's pact, made now."""
    return Publication(
        publication_id,
        consumer.id,
        consumer.name,
        provider.id,
        provider.name,
        version.id,
        version.number,
        pact_version_id,
        sha,
        1,
        now,
        now,
    )


def _content_changed(connection: Connection, publication: Publication) -> bool:
    """Whether the pact differs from the previous consumer version's. Within one pair a pact
    version is one content, so comparing pact versions compares contents."""
    previous = repository.previous_pact_version_id(
        connection, publication.consumer_id, publication.provider_id, publication.consumer_version_id
    )
    return previous is None or previous != publication.pact_version_id


def publish_contracts(
    connection: Connection,
    *,
    pacticipant_name: str,
    version_number: str,
    branch: str | None,
    tags: Sequence[str],
    build_url: str | None,
    contracts: Sequence[Contract],
    allow_modification: bool,
) -> PublishResult:
    pacticipants.require_name(pacticipant_name, "pacticipantName")
    versions.require_number(version_number)
    if build_url is not None and (problem := url_problem(build_url, "buildUrl")):
        raise InvalidInputError(problem, {"buildUrl": [problem]})
    # one lookup for every pacticipant named (and the branch); a 409 below rolls back the version created here
    first_tag = tags[0] if tags and isinstance(tags[0], str) else None
    before = publish_lookup.look_up(
        connection,
        {pacticipant_name, *(contract.provider_name for contract in contracts)},
        pacticipant_name,
        branch if isinstance(branch, str) else first_tag,
    )
    found = before.found
    consumer = found.get(pacticipant_name) or pacticipants.ensure_pacticipant(connection, pacticipant_name)
    # a new version on an existing branch (the usual CI publish): created and put on it at once
    on_branch = None
    if before.branch is not None and before.branch.name == branch:
        on_branch = versions.new_version_on_branch(connection, consumer, version_number, before.branch)
    if on_branch is not None:
        version, created = on_branch, True
    else:
        version, created = versions.ensure_version(connection, consumer, version_number)
    if not allow_modification and not created:
        check_for_conflicts(connection, version, contracts, found)
    if build_url is not None:
        version = versions.repository.update(connection, version.id, {"build_url": build_url})
    effective_branch = branch
    if effective_branch is None and tags and created:
        effective_branch = tags[0]  # the official broker's use_first_tag_as_branch
    branch_ids = []
    if on_branch is not None:
        assert before.branch is not None
        branch_ids.append(before.branch.id)
    elif effective_branch is not None:
        branch, _ = versions.add_to_branch(
            connection, consumer, version, effective_branch, version_is_new=created, known=before.branch
        )
        branch_ids.append(branch.id)
    versions.add_tags(connection, consumer, version, tags, version_is_new=created)
    ordered = sorted(enumerate(contracts), key=lambda pair: pair[1].provider_name)
    published: dict[int, PublishedPact] = {}
    hooks = webhooks_repository.enabled_with_party_ids(connection)
    with_contracts = before.with_contracts - {consumer.id}  # of the providers (that existed before this publish)
    # a version created just now carries exactly the labels given here: no need to read them back
    labels = (branch_ids, list(dict.fromkeys(tags))) if created else heads.labels_of_version(connection, version.id)
    known = dict(found)
    attempts = None
    if created:
        attempts = _insert_all_in_one_statement(connection, consumer, version, [c for _, c in ordered], labels, known)
    for position, (index, contract) in enumerate(ordered):
        published[index] = publish_pact(
            connection,
            consumer,
            version,
            contract,
            allow_modification=allow_modification,
            field_path="contracts",
            version_is_new=created,
            with_webhooks=bool(hooks),
            known=known,
            labels=labels,
            hooks=hooks,
            with_contracts=with_contracts,
            attempt=attempts[position] if attempts is not None else None,
        )
    return PublishResult(
        consumer, version, created, effective_branch, list(tags), [published[i] for i in range(len(contracts))]
    )


def publish_legacy(
    connection: Connection,
    *,
    provider_name: str,
    consumer_name: str,
    version_number: str,
    document: dict[str, Any],
    merge: bool,
    allow_modification: bool,
    contract: Contract | None = None,
) -> PublishedPact:
    """The pre-2021 API: one pact per PUT (PATCH merges), still used by older clients. `contract`
    is the document already made a `Contract` (and hashed) before the transaction, if it was."""
    inside_consumer = content.party_name(document, "consumer")
    inside_provider = content.party_name(document, "provider")
    errors: dict[str, list[str]] = {}
    if inside_consumer is not None and inside_consumer != consumer_name:
        errors["consumer.name"] = [f"'{inside_consumer}' does not match the consumer name in the path"]
    if inside_provider is not None and inside_provider != provider_name:
        errors["provider.name"] = [f"'{inside_provider}' does not match the provider name in the path"]
    if errors:
        raise InvalidInputError("The pact does not match the path", errors)
    consumer = pacticipants.ensure_pacticipant(connection, consumer_name, "consumer")
    pacticipants.require_name(provider_name, "provider")
    version, _ = versions.ensure_version(connection, consumer, versions.require_number(version_number, "version"))
    contract = contract or legacy_contract(consumer_name, provider_name, document, merge=merge)
    return publish_pact(
        connection, consumer, version, contract, allow_modification=allow_modification or merge, field_path="pact"
    )


def legacy_contract(consumer_name: str, provider_name: str, document: dict[str, Any], *, merge: bool) -> Contract:
    """The pre-2021 API's pact as a hashed `Contract`: work to do before the write transaction."""
    return Contract(consumer_name, provider_name, document, "merge" if merge else "overwrite").hashed()
