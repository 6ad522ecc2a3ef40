"""The values behind `${pactbroker.*}` for a publication or a verification."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from broker import paths
from broker.pacticipants import repository as pacticipants_repository
from broker.pacts.models import Publication
from broker.public_url import current_base_url
from broker.verifications.models import Verification
from broker.versions import branches, tags
from broker.versions import repository as versions_repository

_STATUSES = {
    True: {"github": "success", "bitbucket": "SUCCESSFUL", "azure": "succeeded", "gitlab": "success"},
    False: {"github": "failure", "bitbucket": "FAILED", "azure": "failed", "gitlab": "failed"},
    None: {"github": "pending", "bitbucket": "INPROGRESS", "azure": "pending", "gitlab": "pending"},
}


def _statuses(success: bool | None) -> dict[str, str]:
    names = _STATUSES[success]
    return {
        "githubVerificationStatus": names["github"],
        "bitbucketVerificationStatus": names["bitbucket"],
        "azureDevOpsVerificationStatus": names["azure"],
        "gitlabVerificationStatus": names["gitlab"],
    }


def _labels(connection: Connection, pacticipant_id: int) -> str:
    return ", ".join(pacticipants_repository.labels_of(connection, pacticipant_id))


def _version_labels(connection: Connection, version_id: int) -> tuple[str, str]:
    tag_names = ", ".join(ref.name for ref in tags.tags_of(connection, [version_id])[version_id])
    branch_names = branches.branches_of(connection, [version_id])[version_id]
    return tag_names, (branch_names[-1].name if branch_names else "")


def publication_context(
    connection: Connection, publication: Publication, verification_success: bool | None = None
) -> dict[str, str]:
    base = current_base_url.get()
    consumer_tags, consumer_branch = _version_labels(connection, publication.consumer_version_id)
    version = versions_repository.find_by_id(connection, publication.consumer_version_id)
    return {
        "consumerName": publication.consumer_name,
        "providerName": publication.provider_name,
        "consumerVersionNumber": publication.consumer_version_number,
        "consumerVersionTags": consumer_tags,
        "consumerVersionBranch": consumer_branch,
        "providerVersionNumber": "",
        "providerVersionTags": "",
        "providerVersionBranch": "",
        "providerVersionDescriptions": "",
        "pactUrl": base + paths.pact_version(publication.provider_name, publication.consumer_name, publication.sha),
        "verificationResultUrl": "",
        "consumerLabels": _labels(connection, publication.consumer_id),
        "providerLabels": _labels(connection, publication.provider_id),
        "buildUrl": (version.build_url if version else None) or "",
        "currentlyDeployedProviderVersionNumber": "",
        **_statuses(verification_success),
    }


def verification_context(
    connection: Connection, verification: Verification, publication: Publication | None
) -> dict[str, str]:
    base = current_base_url.get()
    provider_tags, provider_branch = _version_labels(connection, verification.provider_version_id)
    context = publication_context(connection, publication, verification.success) if publication else {}
    context.update(
        {
            "consumerName": verification.consumer_name,
            "providerName": verification.provider_name,
            "providerVersionNumber": verification.provider_version_number,
            "providerVersionTags": provider_tags,
            "providerVersionBranch": provider_branch,
            "providerVersionDescriptions": ", ".join(
                part for part in (f"branch {provider_branch}" if provider_branch else "", provider_tags) if part
            ),
            "pactUrl": base
            + paths.pact_version(verification.provider_name, verification.consumer_name, verification.sha),
            "verificationResultUrl": base
            + paths.verification(
                verification.provider_name, verification.consumer_name, verification.sha, verification.id
            ),
            "buildUrl": verification.build_url or "",
            **_statuses(verification.success),
        }
    )
    return context
