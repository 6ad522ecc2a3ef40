"""A broker full of realistic data, written through its own HTTP API as the clients write it.

Seven applications of a booking platform; main and feature branches; a `prod` tag; test and
production environments with deployments (one replaced) and a release; verifications that
succeed, fail, fail while the pact is pending, and one pact that changed since it was verified
(stale) and one never verified; webhooks (one with a secret header, one with basic auth) that
ran, one successfully and one failing. communication-service publishes provider contracts
(OpenAPI documents) instead of verifying: version 9.0.0's is compatible with payment-service's
pact, 9.1.0's dropped a field that pact reads.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass, field
from typing import Any

from tests.broker.support import BrokerClient, Receiver, segment

SECRET_TOKEN = "s3cr3t-ci-token-0123"
SECRET_PASSWORD = "p4ssw0rd-secret-4567"

PACTICIPANTS = (
    "web-app",
    "mobile-app",
    "session-service",
    "payment-service",
    "user-service",
    "gym-service",
    "communication-service",
)

VERIFIED = ("web-app", "user-service")
STALE = ("web-app", "session-service")
FAILED = ("mobile-app", "payment-service")
FAILED_PENDING = ("session-service", "gym-service")
NEVER = ("payment-service", "communication-service")


def _rules(**paths: list[dict[str, Any]]) -> dict[str, Any]:
    return {path.replace("_", "."): {"combine": "AND", "matchers": matchers} for path, matchers in paths.items()}


def http_interaction(
    description: str, path: str, body: dict[str, Any], *, state: str | None = None, params: dict[str, Any] | None = None
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "type": "Synchronous/HTTP",
        "description": description,
        "request": {
            "method": "GET",
            "path": path,
            "headers": {"Accept": ["application/json"], "X-Service-Key": ["key"]},
            "matchingRules": {
                "header": {"X-Service-Key": {"combine": "AND", "matchers": [{"match": "regex", "regex": "^[a-z]+$"}]}},
                "path": {"combine": "AND", "matchers": [{"match": "regex", "regex": r"^/internal/[a-z]+/\d+$"}]},
            },
        },
        "response": {
            "status": 200,
            "headers": {"Content-Type": ["application/json"]},
            "body": {"content": body, "contentType": "application/json", "encoded": False},
            "matchingRules": {
                "body": {
                    "$.id": {"combine": "AND", "matchers": [{"match": "integer"}]},
                    "$.email": {"combine": "AND", "matchers": [{"match": "regex", "regex": "^.+@.+$"}]},
                    "$.sessions": {"combine": "AND", "matchers": [{"match": "type", "min": 1}]},
                    "$.sessions[*].startsAt": {
                        "combine": "AND",
                        "matchers": [{"match": "datetime", "format": "yyyy-MM-dd'T'HH:mm:ssXXX"}],
                    },
                }
            },
        },
    }
    if state is not None:
        item["providerStates"] = [{"name": state, **({"params": params} if params else {})}]
    return item


def interactions_for(consumer: str, provider: str, revision: int = 1) -> list[dict[str, Any]]:
    noun = provider.split("-")[0]
    body = {
        "id": 42,
        "email": f"member{revision}@example.com",
        "sessions": [{"startsAt": "2025-05-01T09:00:00+02:00", "gym": "Solo60 Central"}],
    }
    found = [
        http_interaction(
            f"a request for {noun} 42 from {consumer}",
            f"/internal/{noun}/42",
            body,
            state=f"{noun} 42 exists",
            params={"id": 42},
        ),
        http_interaction(
            f"a request for a missing {noun}", f"/internal/{noun}/9", {"id": 9}, state=f"{noun} 9 does not exist"
        ),
    ]
    if revision > 1:
        found.append(
            http_interaction(f"a request for {noun} history (revision {revision})", f"/internal/{noun}/7", {"id": 7})
        )
    return found


CONTRACT_PROVIDER = "communication-service"
SELF_VERIFICATION_REPORT = "schemathesis run: 1 operation, 120 test cases, no failures"


def communication_document(*, with_email: bool = True) -> dict[str, Any]:
    """communication-service's OpenAPI document: its lookup by id (`email` optional to drop)."""
    properties: dict[str, Any] = {
        "id": {"type": "integer"},
        "sessions": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"startsAt": {"type": "string", "format": "date-time"}, "gym": {"type": "string"}},
            },
        },
    }
    if with_email:
        properties["email"] = {"type": "string", "format": "email"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "communication-service", "version": "9"},
        "paths": {
            "/internal/communication/{id}": {
                "get": {
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                    "responses": {
                        "200": {
                            "description": "the record",
                            "content": {"application/json": {"schema": {"type": "object", "properties": properties}}},
                        }
                    },
                }
            }
        },
    }


def _publish_contract(broker: BrokerClient, version: str, document: dict[str, Any]) -> None:
    response = broker.post(
        f"/provider-contracts/provider/{CONTRACT_PROVIDER}/publish",
        {
            "pacticipantVersionNumber": version,
            "branch": "main",
            "contract": {
                "content": base64.b64encode(json.dumps(document).encode()).decode(),
                "contentType": "application/json",
                "specification": "oas",
                "selfVerificationResults": {
                    "success": True,
                    "content": base64.b64encode(SELF_VERIFICATION_REPORT.encode()).decode(),
                    "contentType": "text/plain",
                    "format": "text",
                    "verifier": "schemathesis",
                    "verifierVersion": "4.1",
                },
            },
        },
    )
    assert response.status_code == 200, response.text


@dataclass
class Seeded:
    webhook_ok: str = ""
    webhook_failing: str = ""
    environments: dict[str, str] = field(default_factory=dict)


def _publish(
    broker: BrokerClient,
    consumer: str,
    version: str,
    providers: dict[str, int],
    branch: str,
    tags: list[str] | None = None,
) -> None:
    body: dict[str, Any] = {
        "pacticipantName": consumer,
        "pacticipantVersionNumber": version,
        "branch": branch,
        "buildUrl": f"http://127.0.0.1:1/ci/{consumer}/{version}",
        "contracts": [
            {
                "consumerName": consumer,
                "providerName": provider,
                "specification": "pact",
                "contentType": "application/json",
                "content": base64.b64encode(
                    json.dumps(
                        {
                            "consumer": {"name": consumer},
                            "provider": {"name": provider},
                            "interactions": interactions_for(consumer, provider, revision),
                            "metadata": {"pactSpecification": {"version": "4.0"}},
                        }
                    ).encode()
                ).decode(),
            }
            for provider, revision in providers.items()
        ],
    }
    if tags:
        body["tags"] = tags
    response = broker.post("/contracts/publish", body)
    assert response.status_code == 200, response.text


def _verify_pending(broker: BrokerClient, provider: str, consumer: str, provider_version: str) -> None:
    """Verify through pacts-for-verification, as the verifier does: the pact is pending for a
    provider branch that never verified it, and the failure says so."""
    found = broker.for_verification(
        provider,
        {
            "consumerVersionSelectors": [{"mainBranch": True}],
            "includePendingStatus": True,
            "providerVersionBranch": "main",
        },
    )
    pact = next(
        p
        for p in found["_embedded"]["pacts"]
        if p["shortDescription"].find(consumer) >= 0 or consumer in p["_links"]["self"]["href"]
    )
    assert pact["verificationProperties"]["pending"] is True
    broker.put(f"/pacticipants/{segment(provider)}/branches/main/versions/{segment(provider_version)}")
    href = broker.http.get(pact["_links"]["self"]["href"]).json()["_links"]["pb:publish-verification-results"]["href"]
    response = broker.http.post(href, json={"success": False, "providerApplicationVersion": provider_version})
    assert response.status_code == 201, response.text


def _webhook(broker: BrokerClient, body: dict[str, Any]) -> str:
    response = broker.post("/webhooks", body)
    assert response.status_code == 201, response.text
    return response.json()["uuid"]


def seed(broker: BrokerClient, receiver: Receiver) -> Seeded:
    seeded = Seeded()
    receiver.failing_prefix = "/alerts"
    seeded.environments = {
        "test": broker.create_environment("test"),
        "production": broker.create_environment("production", production=True),
    }
    for name in PACTICIPANTS:  # pacticipants first, so webhooks can name them
        assert broker.put(
            f"/pacticipants/{segment(name)}", {"repositoryUrl": f"https://git.example.com/solo60/{name}"}
        ).status_code in (200, 201)
    seeded.webhook_ok = _webhook(
        broker,
        {
            "description": "Tell CI that web-app published a pact for user-service",
            "consumer": {"name": "web-app"},
            "provider": {"name": "user-service"},
            "events": [{"name": "contract_published"}],
            "request": {
                "method": "POST",
                "url": f"{receiver.url}/ci/build",
                "headers": {"Authorization": f"Bearer {SECRET_TOKEN}", "Content-Type": "application/json"},
                "body": {"pact": "${pactbroker.pactUrl}", "consumer": "${pactbroker.consumerName}"},
            },
        },
    )
    seeded.webhook_failing = _webhook(
        broker,
        {
            "description": "Alert on payment pacts",
            "provider": {"name": "payment-service"},
            "events": [{"name": "contract_published"}],
            "request": {
                "method": "POST",
                "url": f"{receiver.url}/alerts/payments",
                "username": "alerts",
                "password": SECRET_PASSWORD,
                "body": "pact ${pactbroker.pactUrl} published",
            },
        },
    )

    _publish(broker, "web-app", "1.0.0", {"user-service": 1, "session-service": 1, "gym-service": 1}, "main", ["prod"])
    _publish(broker, "mobile-app", "2.0.0", {"session-service": 1, "payment-service": 1}, "main")
    _publish(broker, "session-service", "3.0.0", {"payment-service": 1, "gym-service": 1, "user-service": 1}, "main")
    _publish(broker, "payment-service", "4.0.0", {"communication-service": 1}, "main")

    broker.verify("user-service", "web-app", "1.0.0", "5.0.0", branch="main")
    broker.verify("session-service", "web-app", "1.0.0", "6.0.0", branch="main")
    broker.verify("session-service", "mobile-app", "2.0.0", "6.0.0", branch="main")
    broker.verify("gym-service", "web-app", "1.0.0", "7.0.0", branch="main")
    broker.verify("payment-service", "mobile-app", "2.0.0", "8.0.0", success=False, branch="main")
    broker.verify("payment-service", "session-service", "3.0.0", "8.0.0", branch="main")
    broker.verify("user-service", "session-service", "3.0.0", "5.0.0", branch="main")
    _verify_pending(broker, "gym-service", "session-service", "7.1.0")

    # web-app moves on: the same pact for user-service and gym-service (still verified), a changed
    # one for session-service (stale), and a feature branch with its own pact
    _publish(broker, "web-app", "1.1.0", {"user-service": 1, "session-service": 2, "gym-service": 1}, "main")
    _publish(broker, "web-app", "1.2.0-booking", {"session-service": 3}, "feat/booking-ui")

    for pacticipant, version, environment in (
        ("user-service", "5.0.0", "test"),
        ("user-service", "5.0.0", "production"),
        ("session-service", "6.0.0", "test"),
        ("gym-service", "7.0.0", "production"),
        ("payment-service", "8.0.0", "test"),
        ("web-app", "1.0.0", "test"),
        ("web-app", "1.0.0", "production"),
        ("web-app", "1.1.0", "test"),  # replaces 1.0.0 in test
    ):
        broker.record_deployment(pacticipant, version, environment)
    broker.record_release("mobile-app", "2.0.0", "production")
    _publish_contract(broker, "9.0.0", communication_document())
    _publish_contract(broker, "9.1.0", communication_document(with_email=False))
    _wait_for_webhooks(broker)
    return seeded


def _wait_for_webhooks(broker: BrokerClient, timeout: float = 20.0) -> None:
    """Until every triggered webhook has settled (succeeded, or failed after its retries)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        hooks = broker.get("/webhooks").json()["_embedded"]["webhooks"]
        states = [
            item["status"]
            for hook in hooks
            for item in broker.get(f"/webhooks/{hook['uuid']}/triggered-webhooks").json()["_embedded"][
                "triggeredWebhooks"
            ]
        ]
        if states and all(state in ("success", "failure") for state in states):
            return
        time.sleep(0.2)
    raise AssertionError(f"webhooks did not settle: {states}")
