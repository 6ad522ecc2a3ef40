"""The conventions every provider honours, shown on the user service."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from pathlib import Path

import pytest

from solo60.services.kit.settings import ConfigurationError, ServiceSettings
from tests.helpers import assert_error

USER = "/internal/users/123"


async def test_a_call_without_a_key_is_unauthorized(serve) -> None:
    async with serve("user") as client:
        body = assert_error(await client.get(USER, headers={"x-api-key": ""}), 401, "UNAUTHORIZED")
        del client.headers["x-api-key"]
        missing = assert_error(await client.get(USER), 401, "UNAUTHORIZED")
    assert "not an accepted" in body.message
    assert "missing" in missing.message


async def test_a_wrong_key_is_unauthorized_even_on_unknown_routes(serve) -> None:
    async with serve("user") as client:
        assert_error(await client.get(USER, headers={"x-api-key": "guess"}), 401, "UNAUTHORIZED")
        assert_error(await client.get("/internal/nothing-here", headers={"x-api-key": "guess"}), 401, "UNAUTHORIZED")


async def test_every_configured_key_is_accepted_so_callers_can_rotate_one_by_one(serve) -> None:
    async with serve("user", environ={"SERVICE_API_KEYS": "old-key, new-key"}) as client:
        old = await client.get(USER, headers={"x-api-key": "old-key"})
        new = await client.get(USER, headers={"x-api-key": "new-key"})
        default = await client.get(USER)  # the development key is not accepted once keys are configured
    assert_error(old, 404, "NOT_FOUND")
    assert_error(new, 404, "NOT_FOUND")
    assert_error(default, 401, "UNAUTHORIZED")


async def test_keys_in_a_keys_file_rotate_without_restarting_the_provider(serve, tmp_path: Path) -> None:
    keys = tmp_path / "service-keys"
    keys.write_text("session:first-key\n")
    environ = {
        "SERVICE_API_KEYS": "session:static-key",
        "SERVICE_API_KEYS_FILE": str(keys),
        "SERVICE_API_KEYS_SETTLE_SECONDS": "0.2",
    }
    async with serve("user", environ=environ) as client:
        session = {"x-service-name": "session"}
        before = await client.get(USER, headers={"x-api-key": "second-key", **session})
        keys.write_text("session:second-key\n")
        os.utime(keys, (1, 1))  # a different mtime even within one clock tick
        after = await client.get(USER, headers={"x-api-key": "second-key", **session})
        settling = await client.get(USER, headers={"x-api-key": "first-key", **session})
        await asyncio.sleep(0.3)
        retired = await client.get(USER, headers={"x-api-key": "first-key", **session})
    assert_error(before, 401, "UNAUTHORIZED")
    assert_error(after, 404, "NOT_FOUND")
    assert_error(settling, 404, "NOT_FOUND")  # a removed key lasts until the file stops changing
    assert_error(retired, 401, "UNAUTHORIZED")


async def test_health_ready_and_docs_need_no_key(serve) -> None:
    async with serve("user") as client:
        del client.headers["x-api-key"]
        assert (await client.get("/health")).json() == {"status": "ok"}
        assert (await client.get("/ready")).json() == {"status": "ready", "service": "user"}
        assert (await client.get("/internal/openapi.json")).status_code == 200
        assert (await client.get("/internal/docs")).status_code == 200


async def test_a_correlation_id_is_echoed_in_the_header_and_every_error_body(serve) -> None:
    async with serve("user") as client:
        response = await client.get(USER, headers={"x-correlation-id": "edge-42"})
    assert response.headers["x-correlation-id"] == "edge-42"
    assert assert_error(response, 404, "NOT_FOUND").correlation_id == "edge-42"


async def test_a_correlation_id_is_generated_when_absent_or_unsafe(serve) -> None:
    async with serve("user") as client:
        absent = await client.get(USER)
        hostile = await client.get(USER, headers={"x-correlation-id": "x" * 500})
        injected = await client.get(USER, headers={"x-correlation-id": "a\tb<script>"})
    for response in (absent, hostile, injected):
        generated = response.headers["x-correlation-id"]
        assert len(generated) == 36
        assert assert_error(response, 404, "NOT_FOUND").correlation_id == generated


async def test_a_caller_over_its_rate_limit_is_told_when_to_retry(serve) -> None:
    environ = {"SERVICE_API_KEYS": "session:session-key,auth:auth-key"}
    async with serve("user", rate_limit="3/minute", environ=environ) as client:
        del client.headers["x-service-name"]  # the key names the caller
        allowed = [await client.get(USER, headers={"x-api-key": "session-key"}) for _ in range(3)]
        limited = await client.get(USER, headers={"x-api-key": "session-key"})
        other_caller = await client.get(USER, headers={"x-api-key": "auth-key"})
    assert [response.status_code for response in allowed] == [404, 404, 404]
    body = assert_error(limited, 429, "RATE_LIMITED")
    assert "session" in body.message
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert_error(other_caller, 404, "NOT_FOUND")


async def test_a_body_over_the_limit_is_refused_before_it_is_read(serve) -> None:
    async with serve("user", max_body_bytes=2048) as client:
        huge = {"email": "a@example.com", "name": "x" * 5000}
        response = await client.post("/internal/users", json=huge)
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


@pytest.mark.parametrize(
    ("content", "content_type", "status", "code"),
    [
        (b"{not json", "application/json", 400, "VALIDATION_ERROR"),
        (b"", "application/json", 400, "VALIDATION_ERROR"),
        (b"[1, 2]", "application/json", 400, "VALIDATION_ERROR"),
        (b'"just a string"', "application/json", 400, "VALIDATION_ERROR"),
        (b"\xff\xfe\x00", "application/json", 400, "VALIDATION_ERROR"),
        (b'{"email": "a@example.com", "name": "A"}', "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE"),
        (b'{"email": "a@example.com", "name": "A"}', "", 415, "UNSUPPORTED_MEDIA_TYPE"),
        (b'{"email": "' + b"a" * 300 + b'@example.com", "name": "A"}', "application/json", 400, "VALIDATION_ERROR"),
        (b'{"email": "a@example.com", "name": "\'; DROP TABLE users; --"}', "application/json", 201, None),
    ],
)
async def test_hostile_bodies_get_a_4xx_with_the_error_body_never_a_5xx(
    serve, content, content_type, status, code
) -> None:
    async with serve("user") as client:
        response = await client.post("/internal/users", content=content, headers={"content-type": content_type})
        if code is None:
            assert response.status_code == status
            assert (await client.get(f"/internal/users/{response.json()['id']}")).status_code == 200
        else:
            assert_error(response, status, code)


@pytest.mark.parametrize(
    "path", ["/internal/users/..%2F..%2Fetc%2Fpasswd", "/internal/users/%00", "/internal/users/a%20b"]
)
async def test_hostile_ids_in_the_path_are_refused_or_not_found(serve, path: str) -> None:
    async with serve("user") as client:
        response = await client.get(path)
    assert response.status_code in {400, 404}
    assert response.json()["error"] in {"VALIDATION_ERROR", "NOT_FOUND"}


async def test_an_unsupported_method_names_the_allowed_ones(serve) -> None:
    async with serve("user") as client:
        response = await client.put("/internal/users/123", json={})
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "GET, PATCH"


async def test_provider_states_are_off_unless_enabled(serve) -> None:
    async with serve("user", provider_states=False) as client:
        response = await client.post("/_pact/provider-states", json={"state": "a user exists", "action": "setup"})
    assert_error(response, 404, "NOT_FOUND")


async def test_an_unknown_provider_state_is_refused_naming_it(serve) -> None:
    async with serve("user") as client:
        response = await client.post("/_pact/provider-states", json={"state": "a unicorn exists", "action": "setup"})
        listed = (await client.get("/_pact/provider-states")).json()
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert "'a unicorn exists'" in body.message
    assert "a user exists" in body.message
    assert {"a user exists", "no user exists"} <= {state["name"] for state in listed["states"]}


async def test_provider_states_accept_the_verifiers_query_string_form(serve) -> None:
    async with serve("user") as client:
        response = await client.post("/_pact/provider-states?action=setup&state=a+user+exists&userId=77")
        user = await client.get("/internal/users/77")
    assert response.json() == {"userId": "77", "email": "ada@example.com"}
    assert user.status_code == 200


def test_production_settings_refuse_provider_states_and_the_development_key() -> None:
    with pytest.raises(ConfigurationError, match="SOLO60_PROVIDER_STATES"):
        ServiceSettings.from_env(
            "user", {"SOLO60_ENV": "production", "SERVICE_API_KEYS": "session:k1", "SOLO60_PROVIDER_STATES": "1"}
        )
    with pytest.raises(ConfigurationError, match="SERVICE_API_KEYS"):
        ServiceSettings.from_env("user", {"SOLO60_ENV": "production"})
    with pytest.raises(ConfigurationError, match="development key"):
        ServiceSettings.from_env("user", {"SOLO60_ENV": "production", "SERVICE_API_KEYS": "session:solo60-dev-key"})
    with pytest.raises(ConfigurationError, match="caller:key"):
        ServiceSettings.from_env("user", {"SOLO60_ENV": "production", "SERVICE_API_KEYS": "k1"})
    production = ServiceSettings.from_env("user", {"SOLO60_ENV": "production", "SERVICE_API_KEYS": "session:k1"})
    assert production.api_keys == ("session:k1",)


async def test_every_request_is_logged_as_one_json_line_with_caller_route_status_and_latency(serve, caplog) -> None:
    from solo60.services.kit.access_log import JsonLogFormatter

    caplog.set_level(logging.INFO, logger="solo60.access")
    async with serve("user") as client:
        await client.get(USER, headers={"x-service-name": "session", "x-correlation-id": "trace-me"})
    records = [record for record in caplog.records if record.name == "solo60.access"]
    line = json.loads(JsonLogFormatter().format(records[-1]))
    assert line["caller"] == "session"
    assert line["route"] == "/internal/users/{userId}"
    assert line["status"] == 404
    assert line["correlationId"] == "trace-me"
    assert line["latencyMs"] >= 0


async def test_a_misspelled_provider_state_param_is_refused_naming_it(serve) -> None:
    async with serve("user") as client:
        response = await client.post(
            "/_pact/provider-states", json={"state": "a user exists", "params": {"userID": "7"}, "action": "setup"}
        )
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert "userID" in body.message


async def test_an_unavailable_database_is_a_503_to_retry_not_a_500(serve, monkeypatch) -> None:
    import sqlalchemy as sa

    async with serve("user") as client:
        runtime = client.app.state.runtime

        def unreachable(*_args, **_kwargs):
            raise sa.exc.OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

        async def unreachable_lookup(*_args, **_kwargs):
            unreachable()

        monkeypatch.setattr(runtime.db, "read", unreachable)
        monkeypatch.setattr(runtime.db, "fetch_one", unreachable_lookup)  # the lookup by key
        response = await client.get(USER)
    body = assert_error(response, 503, "UPSTREAM_UNAVAILABLE")
    assert "database" in body.message
    assert response.headers["retry-after"] == "1"
