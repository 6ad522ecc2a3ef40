"""Assertions the suites share, phrased the way the conventions are."""

from __future__ import annotations

from typing import Any

import httpx

from solo60.contracts.errors import ErrorBody


def assert_error(response: httpx.Response, status: int, code: str) -> ErrorBody:
    """The response is the conventions' error body with this status and code, echoing its correlation id."""
    assert response.status_code == status, f"expected {status} {code}, got {response.status_code}: {response.text}"
    assert response.headers["content-type"].startswith("application/json")
    body = ErrorBody.model_validate(response.json())
    assert body.error == code, f"expected error {code}, got {body.error}: {body.message}"
    assert body.message
    assert body.correlation_id == response.headers["x-correlation-id"]
    return body


async def set_state(client: httpx.AsyncClient, state: str, **params: Any) -> dict[str, Any]:
    """Set up a provider state through the provider's own state-change route."""
    response = await client.post("/_pact/provider-states", json={"state": state, "params": params, "action": "setup"})
    assert response.status_code == 200, response.text
    return response.json()
