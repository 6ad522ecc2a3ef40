"""Where the Pact Broker is and how to get in: one object for every entry point that talks to it.

`solo60 publish|verify|can-i-deploy|record-deployment|pipeline`, the pytest options of the
consumer and provider suites and the pipeline all build a `BrokerAccess` the same way, from
their flags or else the variables the official clients read (`PACT_BROKER_BASE_URL`,
`PACT_BROKER_USERNAME`, `PACT_BROKER_PASSWORD`, `PACT_BROKER_TOKEN`), and talk to the broker
through the one `BrokerClient` it opens. So credentials reach every call, the official
verifier's included, and a broker that refuses them, cannot be reached or fails (5xx) is one
`BrokerError` whose message names the broker and the status.

The client follows the broker's HAL links where the official CLI does and uses the paths it
hard-codes where it does (`/matrix`, `/pacticipants/{p}/versions/{v}`), so it works against
our broker and the official one alike. What each step asks of the broker lives with the step
(`published/`, `verified/`, `judged/`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

URL_VARIABLE = "PACT_BROKER_BASE_URL"
USERNAME_VARIABLE = "PACT_BROKER_USERNAME"
PASSWORD_VARIABLE = "PACT_BROKER_PASSWORD"
TOKEN_VARIABLE = "PACT_BROKER_TOKEN"
JSON = {"Accept": "application/hal+json, application/json"}


class BrokerError(RuntimeError):
    """The broker refused or failed a request, or cannot be reached; the message says which and where."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class BrokerAccessError(ValueError):
    """The broker access is mis-configured (no URL, a username without a password, ...): a usage error."""


@dataclass(frozen=True)
class BrokerAccess:
    """A broker's base URL and the credentials to use: basic auth, a bearer token, or none."""

    url: str
    username: str | None = None
    password: str | None = None
    token: str | None = None

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise BrokerAccessError(f"the broker URL must be an http(s) URL, not {self.url!r}")
        object.__setattr__(self, "url", self.url.rstrip("/"))
        if self.token and self.username:
            raise BrokerAccessError(
                f"give the broker a token ({TOKEN_VARIABLE}) or a username and password "
                f"({USERNAME_VARIABLE}/{PASSWORD_VARIABLE}), not both"
            )
        if self.username and self.password is None:
            raise BrokerAccessError(f"a broker username needs a password (--broker-password or {PASSWORD_VARIABLE})")
        if self.password is not None and not self.username:
            raise BrokerAccessError(f"a broker password needs a username (--broker-username or {USERNAME_VARIABLE})")

    @classmethod
    def resolve(
        cls,
        url: str | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
        token: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> BrokerAccess | None:
        """The access the flags give, each missing part from the environment; None without any URL.

        Flags win over variables; credentials given as flags replace those in the environment
        as a whole (a `--broker-token` is not mixed with `PACT_BROKER_USERNAME`).
        """
        env = os.environ if environ is None else environ
        chosen_url = url or env.get(URL_VARIABLE) or None
        if not chosen_url:
            if username or password or token:
                raise BrokerAccessError(
                    f"broker credentials were given but no broker URL (--broker-url or {URL_VARIABLE})"
                )
            return None
        if not (username or password or token):
            username = env.get(USERNAME_VARIABLE) or None
            password = env.get(PASSWORD_VARIABLE) if username else None
            token = env.get(TOKEN_VARIABLE) or None
        return cls(chosen_url, username=username, password=password, token=token)

    @classmethod
    def require(
        cls,
        url: str | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
        token: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> BrokerAccess:
        """Like `resolve`, for a command that cannot work without a broker."""
        access = cls.resolve(url, username=username, password=password, token=token, environ=environ)
        if access is None:
            raise BrokerAccessError(f"no broker URL: give --broker-url or set {URL_VARIABLE}")
        return access

    @property
    def described(self) -> str:
        """The broker as messages name it: its URL and who we are to it (never a secret)."""
        if self.token:
            return f"{self.url} (with a bearer token)"
        if self.username:
            return f"{self.url} (as {self.username})"
        return self.url

    def client(self, *, timeout: float = 30.0) -> BrokerClient:
        return BrokerClient(self, timeout=timeout)

    def verifier_credentials(self) -> dict[str, Any]:
        """The official verifier's `broker_source` keywords: these credentials and nothing from the environment."""
        credentials: dict[str, Any] = {"use_env": False}
        if self.token:
            credentials["token"] = self.token
        elif self.username:
            credentials.update(username=self.username, password=self.password or "")
        return credentials

    def environment(self) -> dict[str, str]:
        """The variables the official clients read, for a child process that should use this access."""
        variables = {URL_VARIABLE: self.url}
        if self.token:
            variables[TOKEN_VARIABLE] = self.token
        elif self.username:
            variables.update({USERNAME_VARIABLE: self.username, PASSWORD_VARIABLE: self.password or ""})
        return variables


class BrokerClient:
    """HTTP to one broker with one access; every failure is a `BrokerError` naming the broker and status."""

    def __init__(self, access: BrokerAccess, *, timeout: float = 30.0) -> None:
        self.access = access
        self.base_url = access.url
        auth: httpx.Auth | None = None
        headers = dict(JSON)
        if access.token:
            headers["Authorization"] = f"Bearer {access.token}"
        elif access.username:
            auth = httpx.BasicAuth(access.username, access.password or "")
        self.http = httpx.Client(base_url=self.base_url, auth=auth, headers=headers, timeout=timeout)
        self._index: dict[str, Any] | None = None

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> BrokerClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def check(self) -> None:
        """Read the broker's index: fails now, naming the status, if the broker refuses us or is down."""
        self.index()

    def index(self) -> dict[str, Any]:
        if self._index is None:
            self._index = self.send("GET", "/")
        return self._index

    def link(self, relation: str) -> str:
        """The href of one of the index's relations (`pb:publish-contracts`, `pb:environments`, ...)."""
        try:
            return str(self.index()["_links"][relation]["href"])
        except KeyError:
            raise BrokerError(
                f"the broker's index has no {relation!r} link; is {self.base_url} a Pact Broker?"
            ) from None

    def get(self, url: str) -> dict[str, Any]:
        return self.send("GET", url)

    def post(self, url: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return self.send("POST", url, json=dict(body))

    def put(self, url: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return self.send("PUT", url, json=dict(body))

    def send(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self.http.request(method, url, **kwargs)
        except httpx.HTTPError as error:
            reason = str(error) or type(error).__name__
            raise BrokerError(f"cannot reach the broker at {self.base_url}: {reason}") from error
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = {}
        if response.status_code >= 400:
            raise BrokerError(
                _explain(self.access, method, url, response.status_code, body), status=response.status_code
            )
        return body if isinstance(body, dict) else {"items": body}


def segment(value: str) -> str:
    """A path segment or query value, percent-encoded as the official CLI sends it."""
    return quote(value, safe="")


def _explain(access: BrokerAccess, method: str, url: str, status: int, body: Any) -> str:
    detail = _detail(body)
    where = f"the broker at {access.described}"
    if status == 401:
        given = "the credentials given" if access.username or access.token else "no credentials (none were given)"
        return f"{where} answered 401: it refused {given}: {detail}"
    if status == 403:
        return f"{where} answered 403 to {method} {_path(url)}: these credentials may not do that: {detail}"
    if status >= 500:
        return f"{where} answered {status} to {method} {_path(url)}: the broker failed: {detail}"
    return f"{where} answered {status} to {method} {_path(url)}: {detail}"


def _detail(body: Any) -> str:
    if not isinstance(body, dict):
        return "no details"
    errors = body.get("errors")
    if isinstance(errors, list):
        return "; ".join(str(error) for error in errors) or "no details"
    if isinstance(errors, dict):
        return "; ".join(f"{key}: {', '.join(map(str, value))}" for key, value in errors.items()) or "no details"
    notices = [notice.get("text", "") for notice in body.get("notices", []) if isinstance(notice, dict)]
    return "; ".join(text for text in notices if text) or str(body.get("error") or "no details")


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path or "/"
