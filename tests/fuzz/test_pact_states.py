"""The provider states the pacts name, gathered per operation of the provider's document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from solo60.fuzz.pact_states import PathTemplates, StateUse, pact_states
from solo60.fuzz.targets import fuzz_target


def _write_pact(folder: Path, consumer: str, provider: str, interactions: list[dict[str, Any]]) -> None:
    pact = {"consumer": {"name": consumer}, "provider": {"name": provider}, "interactions": interactions}
    (folder / f"{consumer}-{provider}.json").write_text(json.dumps(pact))


def _interaction(method: str, path: str, states: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "description": f"{method} {path}",
        "providerStates": states,
        "request": {"method": method, "path": path},
        "response": {"status": 200},
    }


def test_each_operation_gets_the_states_its_interactions_name_with_their_params(tmp_path: Path) -> None:
    _write_pact(
        tmp_path,
        "user",
        "session",
        [
            _interaction(
                "GET",
                "/internal/sessions/by-user/123",
                [{"name": "user has active sessions", "params": {"userId": "123", "count": 2}}],
            ),
            _interaction(
                "GET", "/internal/sessions/by-user/7", [{"name": "user has no sessions", "params": {"userId": "7"}}]
            ),
            _interaction(
                "POST",
                "/internal/sessions/session-1/cancel",
                [{"name": "a session exists", "params": {"sessionId": "session-1"}}],
            ),
        ],
    )
    _write_pact(
        tmp_path,
        "payment",
        "session",
        [
            _interaction(
                "GET",
                "/internal/sessions/by-user/123",
                [{"name": "user has active sessions", "params": {"count": 2, "userId": "123"}}],
            )
        ],
    )
    _write_pact(tmp_path, "session", "gym", [_interaction("GET", "/internal/gyms/gym-1", [{"name": "a gym exists"}])])

    found = pact_states("session", fuzz_target("session").document(), tmp_path)

    assert found == {
        "GET /internal/sessions/by-user/{userId}": (
            StateUse.of("user has active sessions", {"userId": "123", "count": 2}),
            StateUse.of("user has no sessions", {"userId": "7"}),
        ),
        "POST /internal/sessions/{sessionId}/cancel": (StateUse.of("a session exists", {"sessionId": "session-1"}),),
    }
    assert found["GET /internal/sessions/by-user/{userId}"][0].params_dict() == {"count": 2, "userId": "123"}


def test_a_literal_path_is_not_taken_for_a_parameter() -> None:
    templates = PathTemplates(fuzz_target("user").document())

    assert templates.label_for("GET", "/internal/users/by-email") == "GET /internal/users/by-email"
    assert templates.label_for("GET", "/internal/users/42") == "GET /internal/users/{userId}"
    assert templates.label_for("get", "/internal/users/42/roles/ADMIN") == "GET /internal/users/{userId}/roles/{role}"
    assert templates.label_for("DELETE", "/internal/users/42") is None
    assert templates.label_for("GET", "/elsewhere") is None


def test_message_interactions_old_formats_and_stray_files_are_handled(tmp_path: Path) -> None:
    _write_pact(
        tmp_path,
        "auth",
        "user",
        [
            {"description": "a message", "providerStates": [{"name": "a user exists"}], "contents": {}},
            {
                "description": "v2",
                "providerState": "a user exists",
                "request": {"method": "GET", "path": "/internal/users/9"},
            },
        ],
    )
    (tmp_path / "notes.json").write_text("not json")
    (tmp_path / ".half-written.json").write_text("{")

    found = pact_states("user", fuzz_target("user").document(), tmp_path)

    assert found == {"GET /internal/users/{userId}": (StateUse.of("a user exists"),)}
    assert pact_states("user", fuzz_target("user").document(), tmp_path / "absent") == {}
