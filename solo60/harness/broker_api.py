"""A thin client of the Pact Broker API, speaking what the official clients speak.

It follows the broker's HAL links where the official CLI does and uses the paths it
hard-codes where it does (`/matrix`, `/pacticipants/{p}/versions/{v}`), so it works against
our broker and the official one alike.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from solo60.harness.pact_files import PactFile

JSON = {"Accept": "application/hal+json, application/json"}


class BrokerError(RuntimeError):
    """The broker refused or failed a request; the message carries its `errors`/`notices`."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Selector:
    """One pacticipant version in a can-i-deploy question."""

    pacticipant: str
    version: str | None = None
    latest: bool = False
    branch: str | None = None


@dataclass(frozen=True)
class MatrixRow:
    consumer: str
    consumer_version: str
    provider: str
    provider_version: str | None
    success: bool | None
    verification_url: str | None

    @property
    def pair(self) -> str:
        return f"{self.consumer} -> {self.provider}"


@dataclass
class Verdict:
    """The broker's can-i-deploy answer: yes, no, or unknown (treated as no), and why."""

    deployable: bool | None
    reason: str
    rows: list[MatrixRow] = field(default_factory=list)
    notices: list[dict[str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def yes(self) -> bool:
        return self.deployable is True


class BrokerAPI:
    def __init__(
        self,
        base_url: str,
        *,
        username: str | None = None,
        password: str | None = None,
        token: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        auth: httpx.Auth | None = None
        headers = dict(JSON)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        elif username:
            auth = httpx.BasicAuth(username, password or "")
        self.http = httpx.Client(base_url=self.base_url, auth=auth, headers=headers, timeout=timeout)
        self._index: dict[str, Any] | None = None

    @classmethod
    def from_env(cls, base_url: str | None = None) -> BrokerAPI:
        """Credentials from the variables the official clients read."""
        url = base_url or os.environ.get("PACT_BROKER_BASE_URL")
        if not url:
            raise BrokerError("no broker URL: give --broker-url or set PACT_BROKER_BASE_URL")
        return cls(
            url,
            username=os.environ.get("PACT_BROKER_USERNAME"),
            password=os.environ.get("PACT_BROKER_PASSWORD"),
            token=os.environ.get("PACT_BROKER_TOKEN"),
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> BrokerAPI:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- publishing ---------------------------------------------------------------------------

    def publish(
        self,
        pact: PactFile,
        *,
        version: str,
        branch: str | None = None,
        tags: Sequence[str] = (),
        build_url: str | None = None,
    ) -> dict[str, Any]:
        """POST one pact to `pb:publish-contracts`, as `pact broker publish` does."""
        body: dict[str, Any] = {
            "pacticipantName": pact.consumer,
            "pacticipantVersionNumber": version,
            "contracts": [
                {
                    "consumerName": pact.consumer,
                    "providerName": pact.provider,
                    "specification": "pact",
                    "contentType": "application/json",
                    "content": base64.b64encode(pact.path.read_bytes()).decode(),
                    "onConflict": "overwrite",
                }
            ],
        }
        if branch:
            body["branch"] = branch
        if tags:
            body["tags"] = list(tags)
        if build_url:
            body["buildUrl"] = build_url
        return self._send("POST", self._link("pb:publish-contracts"), json=body)

    # -- environments and deployments ---------------------------------------------------------

    def environments(self) -> list[dict[str, Any]]:
        found = self._send("GET", self._link("pb:environments"))
        return list(found.get("_embedded", {}).get("environments", []))

    def ensure_environment(self, name: str, *, production: bool) -> str:
        """The environment's uuid, creating it when it does not exist."""
        for environment in self.environments():
            if environment.get("name") == name:
                return str(environment["uuid"])
        created = self._send("POST", self._link("pb:environments"), json={"name": name, "production": production})
        return str(created["uuid"])

    def record_deployment(
        self, pacticipant: str, version: str, environment: str, *, application_instance: str | None = None
    ) -> dict[str, Any]:
        """As `pact broker record-deployment`: find the environment's link on the version, POST it."""
        described = self._send("GET", f"/pacticipants/{_segment(pacticipant)}/versions/{_segment(version)}")
        links = described.get("_links", {}).get("pb:record-deployment", [])
        link = next((item for item in links if item.get("name") == environment), None)
        if link is None:
            raise BrokerError(f"environment {environment!r} does not exist in the broker; create it first")
        body = (
            {"applicationInstance": application_instance, "target": application_instance}
            if application_instance
            else {}
        )
        return self._send("POST", link["href"], json=body)

    # -- the matrix ---------------------------------------------------------------------------

    def can_i_deploy(
        self,
        selectors: Sequence[Selector],
        *,
        to_environment: str | None = None,
        to_tag: str | None = None,
        main_branch: bool = False,
        ignore: Iterable[str] = (),
    ) -> Verdict:
        """`GET /matrix` with the query the official CLI builds for the same question."""
        query: list[tuple[str, str]] = []
        for selector in selectors:
            query.append(("q[][pacticipant]", selector.pacticipant))
            if selector.version:
                query.append(("q[][version]", selector.version))
            if selector.latest:
                query.append(("q[][latest]", "true"))
            if selector.branch:
                query.append(("q[][branch]", selector.branch))
        for pacticipant in ignore:
            query.append(("ignore[][pacticipant]", pacticipant))
        if to_environment:
            query += [("latestby", "cvpv"), ("environment", to_environment)]
        elif to_tag:
            query += [("latestby", "cvp"), ("latest", "true"), ("tag", to_tag)]
        elif len(selectors) == 1:
            query += [("latestby", "cvp"), ("latest", "true")]
        else:
            query.append(("latestby", "cvpv"))
        if main_branch:
            query.append(("mainBranch", "true"))
        # Order matters to the broker's Rack-style parser and httpx would group repeated keys:
        # write the query as the official CLI does, brackets raw and values percent-encoded.
        answer = self._send("GET", "/matrix?" + "&".join(f"{key}={_segment(value)}" for key, value in query))
        summary = answer.get("summary", {})
        return Verdict(
            deployable=summary.get("deployable"),
            reason=str(summary.get("reason", "")),
            rows=[_row(row) for row in answer.get("matrix", [])],
            notices=list(answer.get("notices", [])),
            counts={key: summary[key] for key in ("success", "failed", "unknown", "ignored") if key in summary},
        )

    # -- plumbing -----------------------------------------------------------------------------

    def _link(self, relation: str) -> str:
        if self._index is None:
            self._index = self._send("GET", "/")
        try:
            return str(self._index["_links"][relation]["href"])
        except KeyError:
            raise BrokerError(
                f"the broker's index has no {relation!r} link; is {self.base_url} a Pact Broker?"
            ) from None

    def _send(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self.http.request(method, url, **kwargs)
        except httpx.HTTPError as error:
            raise BrokerError(f"cannot reach the broker at {self.base_url}: {error}") from error
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = {}
        if response.status_code >= 400:
            raise BrokerError(_explain(method, url, response.status_code, body), status=response.status_code)
        return body if isinstance(body, dict) else {"items": body}


def _segment(value: str) -> str:
    return quote(value, safe="")


def _row(row: dict[str, Any]) -> MatrixRow:
    provider_version = (row.get("provider") or {}).get("version") or {}
    verification = row.get("verificationResult") or {}
    return MatrixRow(
        consumer=row["consumer"]["name"],
        consumer_version=row["consumer"]["version"]["number"],
        provider=row["provider"]["name"],
        provider_version=provider_version.get("number"),
        success=verification.get("success") if verification else None,
        verification_url=(verification.get("_links", {}).get("self") or {}).get("href") if verification else None,
    )


def _explain(method: str, url: str, status: int, body: dict[str, Any]) -> str:
    errors = body.get("errors") if isinstance(body, dict) else None
    notices = [notice.get("text", "") for notice in body.get("notices", [])] if isinstance(body, dict) else []
    detail = errors if errors else "; ".join(text for text in notices if text) or "no details"
    return f"the broker answered {status} to {method} {url}: {detail}"
