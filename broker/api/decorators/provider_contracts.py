"""JSON for provider contracts, their self-verification, the consumer side of a pair and the
cross-contract results, under PactFlow's bi-directional paths and `pf:` relations."""

from __future__ import annotations

import json
from typing import Any

from broker.api.decorators.common import pacticipant_summary, timestamp, version_summary
from broker.api.links import Links, link
from broker.pacts.models import Publication
from broker.paths import bi_directional
from broker.provider_contracts.cross_contracts import COMPARATOR, COMPARATOR_VERSION
from broker.provider_contracts.models import ProviderContract
from broker.provider_contracts.publish import Published
from broker.provider_contracts.service import CrossContract

PACT_SELF_VERIFICATION = "A pact is written by the consumer's own passing tests: publishing it is its verification."


def _status(success: bool | None) -> str:
    return "unknown" if success is None else "success" if success else "failed"


def contract_links(links: Links, contract: ProviderContract) -> dict[str, Any]:
    base = bi_directional(contract.provider_name, contract.provider_version_number)
    name, number = contract.provider_name, contract.provider_version_number
    return {
        "pf:provider-contract": link(links.url(f"{base}/provider-contract"), "Provider contract", number),
        "pf:provider-contract-verification-results": link(
            links.url(f"{base}/provider-contract-verification-results"), "Provider contract self-verification"
        ),
        "pf:cross-contract-verification-results": link(
            links.url(f"{base}/cross-contract-verification-results"), "Comparisons with the consumers' pacts"
        ),
        "pb:provider": link(links.pacticipant(name), "Provider", name),
        "pb:provider-version": link(links.version(name, number), "Provider version", number),
    }


def _embedded(links: Links, contract: ProviderContract) -> dict[str, Any]:
    provider = pacticipant_summary(links, contract.provider_name)
    return {
        "provider": provider,
        "version": version_summary(links, contract.provider_name, contract.provider_version_number),
    }


def provider_contract(links: Links, contract: ProviderContract, self_href: str | None = None) -> dict[str, Any]:
    href = self_href or links.url(
        f"{bi_directional(contract.provider_name, contract.provider_version_number)}/provider-contract"
    )
    return {
        "content": contract.content,
        "contentType": contract.content_type,
        "specification": contract.specification,
        "sha": contract.sha,
        "selfVerificationResults": self_verification(links, contract, embedded=True),
        "createdAt": timestamp(contract.created_at),
        "updatedAt": timestamp(contract.updated_at),
        "_embedded": _embedded(links, contract),
        "_links": {
            "self": link(href, "Provider contract", contract.provider_version_number),
            # the older publish client prints this link; our contract resource is its page
            "pf:ui": link(href, "Provider contract"),
            **contract_links(links, contract),
        },
    }


def self_verification(links: Links, contract: ProviderContract, *, embedded: bool = False) -> dict[str, Any]:
    verification = contract.self_verification
    body: dict[str, Any] = {
        "success": verification.success,
        "verificationStatus": _status(verification.success),
        "content": verification.content,
        "contentType": verification.content_type,
        "format": verification.format,
        "verifier": verification.verifier,
        "verifierVersion": verification.verifier_version,
    }
    if not embedded:
        base = bi_directional(contract.provider_name, contract.provider_version_number)
        body["_links"] = {
            "self": link(links.url(f"{base}/provider-contract-verification-results"), "Self-verification"),
            **contract_links(links, contract),
        }
    return body


def publish_result(links: Links, published: Published) -> dict[str, Any]:
    """The answer to the publish: notices the official client prints, the version, and links
    (`pb:pacticipant-version-tags` must be a list: the Rust client requires it)."""
    contract, name, number = published.contract, published.provider.name, published.version.number
    compatible = sum(1 for result in published.comparisons if result.success)
    notices = [
        {
            "type": "success",
            "text": f"Successfully published provider contract for {name} version {number} to the Pact Broker",
        }
    ]
    if contract.self_verification.success is not True:
        notices.append(
            {
                "type": "warning",
                "text": "The self-verification results do not report success, so this contract "
                "vouches for no consumer pact until a successful one is published",
            }
        )
    if published.comparisons:
        notices.append(
            {
                "type": "info",
                "text": f"Compared with {len(published.comparisons)} consumer pact(s): {compatible} compatible, "
                f"{len(published.comparisons) - compatible} incompatible",
            }
        )
    version_links: dict[str, Any] = {
        "pb:pacticipant": link(links.pacticipant(name), "Pacticipant", name),
        "pb:pacticipant-version": link(links.version(name, number), "Pacticipant version", number),
        "pb:pacticipant-version-tags": [
            link(links.version_tag(name, number, tag), "Tag", tag) for tag in published.tags
        ],
    }
    if published.branch is not None:
        version_links["pb:branch-version"] = link(
            links.branch_version(name, published.branch, number), "Branch version", published.branch
        )
    return {
        "notices": notices,
        "_embedded": {
            "pacticipant": {"name": name},
            "version": {"number": number, "buildUrl": published.version.build_url},
        },
        "_links": {**version_links, **contract_links(links, contract)},
    }


def consumer_contract(links: Links, item: CrossContract, document: dict[str, Any]) -> dict[str, Any]:
    publication = item.publication
    base = bi_directional(
        item.contract.provider_name,
        item.contract.provider_version_number,
        publication.consumer_name,
        publication.consumer_version_number,
    )
    return {
        "content": json.dumps(document, ensure_ascii=False),
        "contentType": "application/json",
        "specification": "pact",
        "sha": publication.sha,
        "_embedded": _consumer_embedded(links, publication),
        "_links": {
            "self": link(links.url(f"{base}/consumer-contract"), "Consumer contract"),
            **_pair_links(links, item),
        },
    }


def consumer_verification(links: Links, item: CrossContract) -> dict[str, Any]:
    publication = item.publication
    base = bi_directional(
        item.contract.provider_name,
        item.contract.provider_version_number,
        publication.consumer_name,
        publication.consumer_version_number,
    )
    return {
        "success": True,
        "verificationStatus": "success",
        "verifier": "pact",
        "description": PACT_SELF_VERIFICATION,
        "_links": {
            "self": link(links.url(f"{base}/consumer-contract-verification-results"), "Consumer self-verification"),
            **_pair_links(links, item),
        },
    }


def _consumer_embedded(links: Links, publication: Publication) -> dict[str, Any]:
    return {
        "consumer": pacticipant_summary(links, publication.consumer_name),
        "consumerVersion": version_summary(links, publication.consumer_name, publication.consumer_version_number),
    }


def _pair_links(links: Links, item: CrossContract) -> dict[str, Any]:
    publication = item.publication
    base = bi_directional(
        item.contract.provider_name,
        item.contract.provider_version_number,
        publication.consumer_name,
        publication.consumer_version_number,
    )
    return {
        "pf:provider-contract": link(links.url(f"{base}/provider-contract"), "Provider contract"),
        "pf:consumer-contract": link(links.url(f"{base}/consumer-contract"), "Consumer contract"),
        "pf:cross-contract-verification-results": link(
            links.url(f"{base}/cross-contract-verification-results"), "Cross-contract verification results"
        ),
        "pb:pact-version": link(
            links.pact_for_version(
                publication.provider_name, publication.consumer_name, publication.consumer_version_number
            ),
            "The pact",
        ),
        "pb:provider-version": link(
            links.version(item.contract.provider_name, item.contract.provider_version_number), "Provider version"
        ),
        "pb:consumer-version": link(
            links.version(publication.consumer_name, publication.consumer_version_number), "Consumer version"
        ),
    }


def cross_contract(links: Links, item: CrossContract) -> dict[str, Any]:
    result, contract, publication = item.result, item.contract, item.publication
    base = bi_directional(
        contract.provider_name,
        contract.provider_version_number,
        publication.consumer_name,
        publication.consumer_version_number,
    )
    return {
        "success": item.success,
        "verificationStatus": _status(item.success),
        "compatible": result.success,
        "selfVerified": contract.self_verification.success is True,
        "verificationDate": timestamp(result.created_at),
        "verifier": COMPARATOR,
        "verifierVersion": COMPARATOR_VERSION,
        "problem": result.problem,
        "results": result.results,
        "_embedded": {
            **_consumer_embedded(links, publication),
            "provider": pacticipant_summary(links, contract.provider_name),
            "providerVersion": version_summary(links, contract.provider_name, contract.provider_version_number),
        },
        "_links": {
            "self": link(links.url(f"{base}/cross-contract-verification-results"), "Cross-contract verification"),
            **_pair_links(links, item),
        },
    }


def cross_contract_list(links: Links, contract: ProviderContract, items: list[CrossContract]) -> dict[str, Any]:
    base = bi_directional(contract.provider_name, contract.provider_version_number)
    success = all(item.success for item in items) if items else None
    return {
        "success": success,
        "verificationStatus": _status(success),
        "_embedded": {"crossContractVerificationResults": [cross_contract(links, item) for item in items]},
        "_links": {
            "self": link(links.url(f"{base}/cross-contract-verification-results"), "Cross-contract verifications"),
            **contract_links(links, contract),
        },
    }


def version_links(links: Links, contract: ProviderContract) -> dict[str, Any]:
    """Relations a provider version with a contract adds to its version resource."""
    return contract_links(links, contract)


def pact_links(links: Links, publication: Publication, compared: list[tuple[str, bool]]) -> dict[str, Any]:
    """Relations a pact adds for the provider versions whose contracts it was compared with."""
    if not compared:
        return {}
    return {
        "pf:cross-contract-verification-results": [
            link(
                links.url(
                    bi_directional(
                        publication.provider_name,
                        number,
                        publication.consumer_name,
                        publication.consumer_version_number,
                    )
                    + "/cross-contract-verification-results"
                ),
                f"Compared with the provider contract of version {number}: "
                + ("compatible" if success else "incompatible"),
                number,
            )
            for number, success in compared
        ]
    }
