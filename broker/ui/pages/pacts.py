"""The pact page (on the pact's own URLs) and the verification result page.

A pact shows its interactions for people (`pact_view`), the consumer version with its branches
and tags, when it was published, every verification of this content, and what changed since the
previous version the consumer published for this provider.
"""

from __future__ import annotations

from collections.abc import Callable

from broker.api.requests import BrokerRequest
from broker.api.responses import HalResponse
from broker.api.router import Router
from broker.errors import NotFoundError
from broker.pacts import repository as pacts_repository
from broker.pacts import service as pacts
from broker.pacts.models import Pact
from broker.provider_contracts import service as provider_contracts
from broker.ui import status, urls
from broker.ui.pact_changes import changes
from broker.ui.pact_view import describe
from broker.ui.rendering import page
from broker.ui.version_labels import Labels, labels_of
from broker.verifications import repository as verifications_repository
from broker.verifications import service as verifications

HISTORY_LIMIT = 50
BASE = "/pacts/provider/{provider}/consumer/{consumer}"


def _crumbs(consumer: str, provider: str, last: str) -> list[tuple[str, str | None]]:
    return [
        ("Pacts", urls.INDEX),
        (consumer, urls.pacticipant(consumer)),
        (provider, urls.pacticipant(provider)),
        (last, None),
    ]


def show_pact(request: BrokerRequest, pact: Pact) -> HalResponse:
    connection = request.connection
    version = pact.pact_version
    publication = pact.publication
    history = verifications_repository.history_of_pact_version(connection, version.id, HISTORY_LIMIT)
    previous = pacts_repository.previous_publication(connection, publication) if publication else None
    labels = labels_of(
        connection,
        [publication.consumer_version_id if publication else None] + [v.provider_version_id for v in history],
    )
    if previous is None:
        changed = None
    elif previous.sha == version.sha:
        changed = []
    else:
        changed = changes(pacts_repository.document_of(connection, previous.pact_version_id), pact.document)
    number = publication.consumer_version_number if publication else None
    compared = provider_contracts.cross_contracts_of_pact(connection, publication) if publication else []
    return page(
        request,
        "pact.html",
        title=f"Pact between {version.consumer_name} and {version.provider_name}",
        breadcrumbs=_crumbs(
            version.consumer_name, version.provider_name, f"version {number}" if number else version.sha[:8]
        ),
        active="Pacts",
        pact=pact,
        consumer=version.consumer_name,
        provider=version.provider_name,
        publication=publication,
        consumer_labels=labels.get(publication.consumer_version_id, Labels()) if publication else Labels(),
        interactions=describe(pact.document),
        specification=((pact.document.get("metadata") or {}).get("pactSpecification") or {}).get("version", ""),
        history=[
            (v, labels.get(v.provider_version_id, Labels()), status.verification_of(v.success, v.pact_pending))
            for v in history
        ],
        history_limit=HISTORY_LIMIT,
        previous=previous,
        changes=changed,
        compared=[
            (item, status.COMPARISON[item.result.success], status.SELF_VERIFICATION[item.self_verified])
            for item in compared
        ],
    )


def _pact_route(router: Router, suffix: str, name: str, find: Callable[[BrokerRequest], Pact]) -> None:
    def handler(request: BrokerRequest) -> HalResponse:
        return show_pact(request, find(request))

    handler.__name__ = name
    router.route("GET", BASE + suffix, summary="A pact, for people", tag="UI")(handler)


def register(router: Router) -> None:
    def pair(request: BrokerRequest) -> tuple[str, str]:
        return request.param("provider"), request.param("consumer")

    routes: list[tuple[str, str, Callable[[BrokerRequest], Pact]]] = [
        (
            "/version/{version}",
            "pact_page",
            lambda r: pacts.pact_for_version(r.connection, *pair(r), r.param("version")),
        ),
        ("/latest", "latest_pact_page", lambda r: pacts.latest_pact(r.connection, *pair(r))),
        (
            "/latest/{tag}",
            "latest_tagged_pact_page",
            lambda r: pacts.latest_pact(r.connection, *pair(r), r.param("tag")),
        ),
        (
            "/branch/{branch}/latest",
            "latest_branch_pact_page",
            lambda r: pacts.latest_pact_for_branch(r.connection, *pair(r), r.param("branch")),
        ),
        (
            "/pact-version/{sha}",
            "pact_content_page",
            lambda r: pacts.pact_by_sha(r.connection, *pair(r), r.param("sha")),
        ),
        (
            "/pact-version/{sha}/metadata/{metadata}",
            "pact_content_for_verification_page",
            lambda r: pacts.pact_by_sha(r.connection, *pair(r), r.param("sha")),
        ),
    ]
    for suffix, name, find in routes:
        _pact_route(router, suffix, name, find)

    @router.route(
        "GET", BASE + "/pact-version/{sha}/verification-results/{number}", summary="A verification result", tag="UI"
    )
    def verification_page(request: BrokerRequest) -> HalResponse:
        provider, consumer, sha = request.param("provider"), request.param("consumer"), request.param("sha")
        raw = request.param("number")
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 17:
            raise NotFoundError(f"No verification result {raw} for this pact found")
        verification = verifications.get_verification(request.connection, provider, consumer, sha, int(raw))
        publication = pacts_repository.latest_publication_of_pact_version(
            request.connection, verification.pact_version_id
        )
        labels = labels_of(request.connection, [verification.provider_version_id])
        results = verification.test_results
        interactions = (
            results
            if isinstance(results, list)
            else (results or {}).get("tests")
            if isinstance(results, dict)
            else None
        )
        return page(
            request,
            "verification.html",
            title=f"Verification of {consumer}'s pact by {provider}",
            breadcrumbs=[
                *_crumbs(consumer, provider, f"verification {verification.number}")[:3],
                (f"verification {verification.number}", None),
            ],
            active="Pacts",
            verification=verification,
            result_status=status.verification_of(verification.success, verification.pact_pending),
            provider_labels=labels.get(verification.provider_version_id, Labels()),
            publication=publication,
            consumer=consumer,
            provider=provider,
            test_results=interactions if isinstance(interactions, list) else [],
            raw_results=results,
        )
