"""The consumers that matter and the provider's main-branch contract, read from a Pact Broker.

The consumers are asked for the way a provider's verification asks: pacts-for-verification with
the selectors `mainBranch` and `deployedOrReleased` (or `environment` for each environment
named), so a consumer version that exists only on a feature branch is not among them. The
broker hands out each distinct pact content once; its notice lists every selector that chose
it with the consumer versions, which is what a break is reported with ("latest version from the
main branch (4f2a...)", "currently deployed to production (3e1b...)").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from solo60.harness.breaking.consumers import ConsumerPact, ConsumersError
from solo60.harness.broker_access import BrokerAccess, BrokerClient, BrokerError, segment

_CRITERION = re.compile(r"^\s*\*\s*(?P<why>.+?)\s*\((?P<versions>[^()]*)\)\s*$")


class BrokerConsumers:
    def __init__(self, access: BrokerAccess) -> None:
        self.access = access
        self._client: BrokerClient | None = None

    @property
    def client(self) -> BrokerClient:
        if self._client is None:
            self._client = self.access.client()
        return self._client

    def pacts_that_matter(self, provider: str, environments: Sequence[str]) -> list[ConsumerPact]:
        """The provider's pacts from consumers' main branches and from the environments (all when none named)."""
        from solo60.harness.judged.environments import environment_named

        for name in environments:
            environment_named(self.client, name)  # an unknown environment is an error naming those that exist
        selectors: list[dict[str, Any]] = [{"mainBranch": True}]
        if environments:
            selectors += [{"environment": name} for name in environments]
        else:
            selectors.append({"deployedOrReleased": True})
        try:
            answer = self.client.post(
                f"/pacts/provider/{segment(provider)}/for-verification", {"consumerVersionSelectors": selectors}
            )
        except BrokerError as problem:
            if problem.status == 404:
                return []  # the broker has never heard of the provider: no consumer
            raise
        found = []
        for entry in answer.get("_embedded", {}).get("pacts", []):
            href = entry.get("_links", {}).get("self", {}).get("href")
            if not href:
                continue
            content = self.client.get(href)
            links = content.get("_links", {})
            consumer = content.get("consumer", {}).get("name") or links.get("pb:consumer", {}).get("name", "?")
            criteria = _criteria(entry)
            versions = [version for _, listed in criteria for version in listed]
            version = ", ".join(dict.fromkeys(versions)) or str(links.get("pb:consumer-version", {}).get("name", "?"))
            why = "; ".join(text for text, _ in criteria) or str(entry.get("shortDescription", "selected"))
            found.append(ConsumerPact(consumer, provider, version, why, content))
        return found

    def main_branch_contract(self, provider: str) -> dict[str, Any] | None:
        """The OpenAPI document the provider's newest main-branch version published, or None if there is none."""
        from broker.provider_contracts.comparison.documents import parse_text
        from broker.provider_contracts.comparison.errors import ComparisonError

        try:
            pacticipant = self.client.get(f"/pacticipants/{segment(provider)}")
        except BrokerError as problem:
            if problem.status == 404:
                return None
            raise
        branch = pacticipant.get("mainBranch") or "main"
        try:
            listed = self.client.get(f"/pacticipants/{segment(provider)}/branches/{segment(branch)}/versions")
        except BrokerError as problem:
            if problem.status == 404:
                return None
            raise
        versions = listed.get("_embedded", {}).get("versions", [])
        numbers = [str(item.get("number")) for item in versions if item.get("number") is not None]
        for number in numbers:
            path = f"/contracts/bi-directional/provider/{segment(provider)}/version/{segment(number)}/provider-contract"
            try:
                contract = self.client.get(path)
            except BrokerError as problem:
                if problem.status == 404:
                    continue
                raise
            try:
                document = parse_text(str(contract.get("content", "")), f"{provider}'s contract {number}")
            except ComparisonError as problem:
                raise ConsumersError(str(problem)) from None
            if isinstance(document, dict):
                return document
        return None


def _criteria(entry: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(why, consumer versions) for each selector the broker's notice says chose the pact."""
    found = []
    for notice in entry.get("verificationProperties", {}).get("notices", []):
        for line in str(notice.get("text", "")).splitlines():
            matched = _CRITERION.match(line)
            if matched:
                versions = [part.strip() for part in matched.group("versions").split(",") if part.strip()]
                found.append((matched.group("why"), versions))
    return found
