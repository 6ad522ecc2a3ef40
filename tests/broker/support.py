"""Test vocabulary for the broker suite: building pacts, publishing, verifying, deploying, and
running the official `pact broker` CLI against a live broker."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from broker.api.application import BrokerApplication

ROOT = Path(__file__).resolve().parents[2]
PACT_BINARY = ROOT / ".venv" / "bin" / "pact"


def interaction(description: str, path: str = "/thing", status: int = 200, state: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "type": "Synchronous/HTTP",
        "description": description,
        "request": {"method": "GET", "path": path},
        "response": {"status": status},
    }
    if state is not None:
        item["providerStates"] = [{"name": state}]
    return item


def pact_document(consumer: str, provider: str, *interactions: dict[str, Any]) -> dict[str, Any]:
    return {
        "consumer": {"name": consumer},
        "provider": {"name": provider},
        "interactions": list(interactions) or [interaction("a request")],
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }


def encoded(document: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(document).encode()).decode()


def segment(value: str) -> str:
    return quote(value, safe="")


class BrokerClient:
    """An httpx client on a live broker plus the steps tests repeat."""

    def __init__(self, url: str, application: BrokerApplication) -> None:
        self.url = url
        self.application = application
        self.http = httpx.Client(base_url=url, timeout=30)

    def __enter__(self) -> BrokerClient:
        return self

    def __exit__(self, *exc: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]) -> None:
        self.http.close()

    # --- raw HTTP ---
    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        return self.http.post(path, json=body, **kwargs) if body is not None else self.http.post(path, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        return self.http.put(path, json=body if body is not None else {}, **kwargs)

    def patch(self, path: str, body: Any, **kwargs: Any) -> httpx.Response:
        return self.http.patch(path, json=body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.delete(path, **kwargs)

    # --- domain steps ---
    def publish(
        self,
        consumer: str,
        version: str,
        provider: str | list[str] = "Provider",
        *,
        branch: str | None = None,
        tags: list[str] | None = None,
        interactions: list[dict[str, Any]] | None = None,
        build_url: str | None = None,
        expect: int = 200,
    ) -> dict[str, Any]:
        providers = [provider] if isinstance(provider, str) else provider
        body: dict[str, Any] = {
            "pacticipantName": consumer,
            "pacticipantVersionNumber": version,
            "contracts": [
                {
                    "consumerName": consumer,
                    "providerName": name,
                    "specification": "pact",
                    "contentType": "application/json",
                    "content": encoded(pact_document(consumer, name, *(interactions or []))),
                }
                for name in providers
            ],
        }
        if branch is not None:
            body["branch"] = branch
        if tags:
            body["tags"] = tags
        if build_url:
            body["buildUrl"] = build_url
        response = self.post("/contracts/publish", body)
        assert response.status_code == expect, response.text
        return response.json()

    def publish_contract(
        self, provider: str, version: str, document: dict[str, Any], *, success: bool = True, branch: str = "main"
    ) -> dict[str, Any]:
        """Publish an OpenAPI document as the provider's contract, self-verified by Schemathesis."""
        body = {
            "pacticipantVersionNumber": version,
            "branch": branch,
            "contract": {
                "content": encoded(document),
                "contentType": "application/json",
                "specification": "oas",
                "selfVerificationResults": {"success": success, "verifier": "schemathesis"},
            },
        }
        response = self.post(f"/provider-contracts/provider/{segment(provider)}/publish", body)
        assert response.status_code == 200, response.text
        return response.json()

    def pact(self, provider: str, consumer: str, version: str) -> dict[str, Any]:
        response = self.get(
            f"/pacts/provider/{segment(provider)}/consumer/{segment(consumer)}/version/{segment(version)}"
        )
        assert response.status_code == 200, response.text
        return response.json()

    def verify(
        self,
        provider: str,
        consumer: str,
        consumer_version: str,
        provider_version: str,
        *,
        success: bool = True,
        branch: str | None = None,
        tags: list[str] | None = None,
        pact_url: str | None = None,
    ) -> dict[str, Any]:
        """Publish a verification result the way the Rust verifier does (branch/tag PUTs first)."""
        if branch is not None:
            response = self.put(
                f"/pacticipants/{segment(provider)}/branches/{segment(branch)}/versions/{segment(provider_version)}"
            )
            assert response.status_code in (200, 201), response.text
        for tag in tags or []:
            response = self.put(
                f"/pacticipants/{segment(provider)}/versions/{segment(provider_version)}/tags/{segment(tag)}"
            )
            assert response.status_code in (200, 201), response.text
        if pact_url is not None:
            document = self.http.get(pact_url).json()
        else:
            document = self.pact(provider, consumer, consumer_version)
        href = document["_links"]["pb:publish-verification-results"]["href"]
        response = self.http.post(href, json={"success": success, "providerApplicationVersion": provider_version})
        assert response.status_code == 201, response.text
        return response.json()

    def create_environment(self, name: str, production: bool = False) -> str:
        response = self.post("/environments", {"name": name, "production": production})
        assert response.status_code == 201, response.text
        return response.json()["uuid"]

    def environment_uuid(self, name: str) -> str:
        found = self.get("/environments", params={"name": name}).json()["_embedded"]["environments"]
        return found[0]["uuid"] if found else self.create_environment(name)

    def record_deployment(
        self, pacticipant: str, version: str, environment: str, instance: str | None = None
    ) -> dict[str, Any]:
        uuid = self.environment_uuid(environment)
        body = {"applicationInstance": instance} if instance else {}
        response = self.post(
            f"/pacticipants/{segment(pacticipant)}/versions/{segment(version)}/deployed-versions/environment/{uuid}",
            body,
        )
        assert response.status_code in (200, 201), response.text
        return response.json()

    def record_release(self, pacticipant: str, version: str, environment: str) -> dict[str, Any]:
        uuid = self.environment_uuid(environment)
        response = self.post(
            f"/pacticipants/{segment(pacticipant)}/versions/{segment(version)}/released-versions/environment/{uuid}", {}
        )
        assert response.status_code in (200, 201), response.text
        return response.json()

    def matrix(self, query: str) -> dict[str, Any]:
        response = self.get(f"/matrix?{query}")
        assert response.status_code == 200, response.text
        return response.json()

    def can_i_deploy(
        self, pacticipant: str, version: str, *, environment: str | None = None, to: str | None = None, extra: str = ""
    ) -> dict[str, Any]:
        query = f"q[][pacticipant]={segment(pacticipant)}&q[][version]={segment(version)}"
        if environment is not None:
            query += f"&latestby=cvpv&environment={segment(environment)}"
        elif to is not None:
            query += f"&latestby=cvp&latest=true&tag={segment(to)}"
        else:
            query += "&latestby=cvp&latest=true"
        return self.matrix(query + extra)

    def for_verification(self, provider: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.post(f"/pacts/provider/{segment(provider)}/for-verification", body)
        assert response.status_code == 200, response.text
        return response.json()


def run_pact(
    broker_url: str, *args: str, extra_env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """`pact broker <args> --broker-base-url <url>` as a subprocess (the official Rust CLI)."""
    env = {**os.environ, "PACT_DO_NOT_TRACK": "true", **(extra_env or {})}
    for name in ("PACT_BROKER_BASE_URL", "PACT_BROKER_USERNAME", "PACT_BROKER_PASSWORD", "PACT_BROKER_TOKEN"):
        if extra_env is None or name not in extra_env:
            env.pop(name, None)
    return subprocess.run(
        [str(PACT_BINARY), "broker", *args, "--broker-base-url", broker_url],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def write_pact(directory: Path, consumer: str, provider: str, *interactions: dict[str, Any]) -> Path:
    path = directory / f"{consumer}-{provider}.json"
    path.write_text(json.dumps(pact_document(consumer, provider, *interactions)))
    return path


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: str


@dataclass
class Receiver:
    """A real HTTP endpoint on 127.0.0.1 that webhooks call; answers with `statuses` in turn."""

    url: str
    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    failing_prefix: str | None = None  # requests to paths starting with it always answer 500

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.requests)


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    """A `Receiver` listening on 127.0.0.1 (a free port) until the block ends."""
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            headers = {key.lower(): value for key, value in self.headers.items()}
            state.requests.append(Received(self.command, self.path, headers, body))
            status = state.statuses.pop(0) if state.statuses else 200
            if state.failing_prefix and self.path.startswith(state.failing_prefix):
                status = 500
            payload = b'{"received": true}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_POST = do_PUT = do_GET = _answer

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
