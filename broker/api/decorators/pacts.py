"""JSON for pact documents, pact lists and the publish-contracts response."""

from __future__ import annotations

from typing import Any

from broker import paths
from broker.api.decorators.common import timestamp
from broker.api.links import Links, link
from broker.pacts.models import Pact, Publication
from broker.pacts.publish import PublishedPact, PublishResult


def pact_title(publication: Publication) -> str:
    consumer = f"{publication.consumer_name} ({publication.consumer_version_number})"
    return f"Pact between {consumer} and {publication.provider_name}"


def pact(links: Links, item: Pact, metadata: str | None = None) -> dict[str, Any]:
    """The stored document plus the links the verifier follows to publish results."""
    version = item.pact_version
    provider, consumer, sha = version.provider_name, version.consumer_name, version.sha
    publication = item.publication
    base = paths.pact_base(provider, consumer)
    document = {key: value for key, value in item.document.items() if key != "_links"}
    self_href = (
        links.pact_version(provider, consumer, sha, metadata)
        if metadata or publication is None
        else links.pact_for_version(provider, consumer, publication.consumer_version_number)
    )
    consumer_version_links: dict[str, Any] = {}
    if publication is not None:
        number = publication.consumer_version_number
        consumer_version_links = {
            "pb:consumer-version": link(links.version(consumer, number), "Consumer version", number),
            "pb:tag-version": link(
                links.templated(f"{paths.version(consumer, number)}/tags/{{tag}}"),
                "Tag this consumer version",
                templated=True,
            ),
            "pb:matrix-for-consumer-version": link(
                links.url(
                    f"/matrix?q%5B%5D%5Bpacticipant%5D={paths.segment(consumer)}"
                    f"&q%5B%5D%5Bversion%5D={paths.segment(number)}&latestby=cvpv"
                ),
                "View matrix rows for the consumer version to which this pact belongs",
            ),
        }
    result = dict(document)
    result["createdAt"] = timestamp(publication.created_at if publication else version.created_at)
    result["_links"] = {
        "self": link(
            self_href, "Pact", pact_title(publication) if publication else f"Pact between {consumer} and {provider}"
        ),
        "pb:consumer": link(links.pacticipant(consumer), "Consumer", consumer),
        **consumer_version_links,
        "pb:provider": link(links.pacticipant(provider), "Provider", provider),
        "pb:pact-version": link(links.pact_version(provider, consumer, sha), "Pact content version", sha),
        "pb:latest-pact-version": link(links.url(f"{base}/latest"), "Latest version of this pact"),
        "pb:all-pact-versions": link(links.url(f"{base}/versions"), "All versions of this pact"),
        "pb:latest-tagged-pact-version": link(
            links.templated(f"{base}/latest/{{tag}}"), "Latest version of this pact for a tag", templated=True
        ),
        "pb:pact-webhooks": link(
            links.url(f"{base}/webhooks"), "Webhooks for the pact between the consumer and provider"
        ),
        "pb:publish-verification-results": link(
            links.verification_results(provider, consumer, sha, metadata), "Publish verification results"
        ),
        "pb:latest-verification-results": link(
            links.url(f"{paths.pact_version(provider, consumer, sha)}/verification-results/latest"),
            "Latest verification results",
        ),
        "curies": links.curies(),
    }
    return result


def publication_item(links: Links, publication: Publication) -> dict[str, Any]:
    href = links.pact_for_version(
        publication.provider_name, publication.consumer_name, publication.consumer_version_number
    )
    return {
        "createdAt": timestamp(publication.created_at),
        "_embedded": {
            "consumerVersion": {
                "number": publication.consumer_version_number,
                "_links": {
                    "self": link(
                        links.version(publication.consumer_name, publication.consumer_version_number),
                        "Version",
                        publication.consumer_version_number,
                    )
                },
            }
        },
        "_links": {"self": link(href, pact_title(publication), publication.consumer_name)},
    }


def publication_links(links: Links, publications: list[Publication]) -> list[dict[str, Any]]:
    return [
        link(
            links.pact_for_version(p.provider_name, p.consumer_name, p.consumer_version_number),
            pact_title(p),
            p.consumer_name,
        )
        for p in publications
    ]


def pact_list(
    links: Links, self_href: str, title: str, provider: str, publications: list[Publication]
) -> dict[str, Any]:
    """Lists of pacts: `_links.pb:pacts` (what `get-pacts` reads) and `_embedded.pacts`."""
    return {
        "_embedded": {"pacts": [publication_item(links, p) for p in publications]},
        "_links": {
            "self": link(self_href, title),
            "pb:provider": link(links.pacticipant(provider), "Provider", provider),
            "pb:pacts": publication_links(links, publications),
            "pacts": publication_links(links, publications),
        },
    }


def latest_pacts(links: Links, publications: list[Publication]) -> dict[str, Any]:
    items = []
    for p in publications:
        base = paths.pact_base(p.provider_name, p.consumer_name)
        items.append(
            {
                "createdAt": timestamp(p.created_at),
                "_embedded": {
                    "consumer": {
                        "name": p.consumer_name,
                        "_links": {"self": link(links.pacticipant(p.consumer_name))},
                        "_embedded": {"version": {"number": p.consumer_version_number}},
                    },
                    "provider": {"name": p.provider_name, "_links": {"self": link(links.pacticipant(p.provider_name))}},
                },
                "_links": {
                    "self": [
                        link(
                            links.url(f"{base}/latest"), f"Latest pact between {p.consumer_name} and {p.provider_name}"
                        ),
                        link(
                            links.pact_for_version(p.provider_name, p.consumer_name, p.consumer_version_number),
                            pact_title(p),
                        ),
                    ]
                },
            }
        )
    return {"_links": {"self": link(links.url("/pacts/latest"), "Latest pacts")}, "pacts": items}


def _notice_texts(links: Links, result: PublishResult, published: PublishedPact) -> list[dict[str, str]]:
    publication = published.publication
    url = links.pact_for_version(
        publication.provider_name, publication.consumer_name, publication.consumer_version_number
    )
    prefix = (
        f"for {publication.consumer_name} version {publication.consumer_version_number} "
        f"and provider {publication.provider_name}"
    )
    texts = {
        "created": ("success", f"Pact successfully published {prefix}."),
        "republished": ("success", f"Pact successfully republished {prefix} with no content changes."),
        "overwritten": ("warning", f"Pact published {prefix}, overwriting the previous content."),
        "merged": ("success", f"Pact content merged with existing content {prefix}."),
    }
    kind, text = texts[published.outcome]
    return [
        {"type": kind, "text": text},
        {"type": "debug", "text": f"  View the published pact at {url}"},
        {"type": "debug", "text": f"  Events detected: {', '.join(published.events)}"},
    ]


def publish_result(links: Links, result: PublishResult) -> dict[str, Any]:
    name, number = result.pacticipant.name, result.version.number
    parts = []
    if result.branch:
        parts.append(f"branch {result.branch}")
    if result.tags:
        parts.append(f"tags {', '.join(result.tags)}")
    verb = "Created" if result.version_created else "Updated"
    version_text = f"{verb} {name} version {number}" + (f" with {' and '.join(parts)}" if parts else "")
    notices: list[dict[str, str]] = [{"type": "debug", "text": version_text}]
    for published in result.pacts:
        notices += _notice_texts(links, result, published)
    if not result.branch:
        notices.append(
            {
                "type": "prompt",
                "text": "  Next steps:\n    * Configure the version branch to be the value of your repository "
                "branch.\n      https://docs.pact.io/go/versioning",
            }
        )
    version_href = links.version(name, number)
    return {
        "logs": [
            {"level": n["type"], "message": n["text"], "deprecationWarning": "Replaced by notices"} for n in notices
        ],
        "notices": notices,
        "_embedded": {
            "pacticipant": {"name": name, "_links": {"self": {"href": links.pacticipant(name)}}},
            "version": {"number": number, "_links": {"self": link(version_href, "Version", number)}},
        },
        "_links": {
            "pb:pacticipant": link(links.pacticipant(name), "Pacticipant", name),
            "pb:pacticipant-version": link(version_href, "Pacticipant version", number),
            "pb:pacticipant-version-tags": [
                link(links.version_tag(name, number, tag), "Tag", tag) for tag in result.tags
            ],
            "pb:contracts": [
                link(
                    links.pact_for_version(p.publication.provider_name, name, number),
                    "Pact",
                    pact_title(p.publication),
                )
                for p in result.pacts
            ],
        },
    }
