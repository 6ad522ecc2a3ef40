"""Paths of the UI's pages, built from `broker.paths` so every name is percent-encoded once.

Pages live on the API's own URLs where the official broker has them; the page-only URLs are
`/ui/...`, `/can-i-deploy` (for a browser) and the packaged assets under `/ui/static/`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from broker import paths

INDEX = "/"
PACTICIPANTS = "/pacticipants"
NETWORK = "/integrations"
MATRIX = "/matrix"
CAN_I_DEPLOY = "/can-i-deploy"
ENVIRONMENTS = "/environments"
WEBHOOKS = "/webhooks"
COVERAGE = "/coverage"


def asset(name: str) -> str:
    return f"/ui/static/{paths.segment(name)}"


def with_query(path: str, **query: object) -> str:
    kept = {key: value for key, value in query.items() if value not in (None, "", False)}
    return f"{path}?{urlencode(kept)}" if kept else path


def pacticipant(name: str) -> str:
    return paths.pacticipant(name)


def pact(provider: str, consumer: str, consumer_version: str) -> str:
    return paths.pact_for_version(provider, consumer, consumer_version)


def latest_pact(provider: str, consumer: str) -> str:
    return f"{paths.pact_base(provider, consumer)}/latest"


def pact_content(provider: str, consumer: str, sha: str) -> str:
    return paths.pact_version(provider, consumer, sha)


def verification(provider: str, consumer: str, sha: str, number: int) -> str:
    return paths.verification(provider, consumer, sha, number)


def integration_matrix(provider: str, consumer: str) -> str:
    return f"/matrix/provider/{paths.segment(provider)}/consumer/{paths.segment(consumer)}"


def environment(uuid: str) -> str:
    return paths.environment(uuid)


def webhook(uuid: str) -> str:
    return paths.webhook(uuid)


def pact_badge(provider: str, consumer: str) -> str:
    return f"{latest_pact(provider, consumer)}/badge"


def can_i_deploy_branch(pacticipant_name: str, branch: str, environment_name: str) -> str:
    return (
        f"{paths.branch(pacticipant_name, branch)}/latest-version/can-i-deploy/to-environment/"
        f"{paths.segment(environment_name)}"
    )


def can_i_deploy_tag(pacticipant_name: str, tag: str, to: str) -> str:
    return (
        f"{paths.pacticipant(pacticipant_name)}/latest-version/{paths.segment(tag)}/can-i-deploy/to/{paths.segment(to)}"
    )


def integration(provider: str, consumer: str) -> str:
    return f"/integrations/provider/{paths.segment(provider)}/consumer/{paths.segment(consumer)}"


def execute_webhook(uuid: str) -> str:
    return f"{paths.webhook(uuid)}/execute"


def can_i_merge_badge(pacticipant_name: str) -> str:
    return f"{paths.pacticipant(pacticipant_name)}/main-branch/can-i-merge/badge"


def provider_contract(provider: str, version_number: str) -> str:
    return f"{paths.bi_directional(provider, version_number)}/provider-contract"


def cross_contract(provider: str, version_number: str, consumer: str, consumer_version: str) -> str:
    """One pact compared with a provider contract: the contract's page, that pact first."""
    pair = paths.bi_directional(provider, version_number, consumer, consumer_version)
    return f"{pair}/cross-contract-verification-results"


def dashboard(provider: str, consumer: str, view: str | None = None) -> str:
    path = f"/dashboard/provider/{paths.segment(provider)}/consumer/{paths.segment(consumer)}"
    return with_query(path, view=view)
