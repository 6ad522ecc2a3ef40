"""A pact's responses hold the fields the consumer reads, found from its code as its test drives it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from solo60.clients._reading import ReadLog
from solo60.harness.made.reads import cut_to_reads

ROOT = Path(__file__).resolve().parents[3]

CONSUMER_MODULE = """
from solo60.clients import UserClient
from solo60.contracts.user import Role, User, UserStatus
from solo60.harness.made.matchers import shape_of
from datetime import UTC, datetime

CONSUMER, PROVIDER = "session", "user"

JAN_2 = datetime(2025, 1, 2, tzinfo=UTC)
ADA = User(id="123", email="ada@example.com", name="Ada Lovelace", roles=[Role.MEMBER], status=UserStatus.ACTIVE,
           email_verified=True, created_at=JAN_2, updated_at=JAN_2)


async def greeting(users: UserClient, user_id: str) -> str:
    '''The consumer's own code: what it reads of the user is what its pact will hold.'''
    user = await users.get_user(user_id)
    return GREETING


async def test_a_member_is_greeted(contract):
    (contract.request("a request for a member", "GET", "/internal/users/123")
        .will_respond_with(200).with_body(shape_of(ADA), content_type="application/json"))
    async with contract.client(UserClient) as users:
        assert await greeting(users, "123")
"""


def run_consumer_suite(pytester: pytest.Pytester, greeting: str) -> dict:
    pytester.makeconftest((ROOT / "conftest.py").read_text())
    consumers = (
        pytester.mkdir("consumers") if not (pytester.path / "consumers").exists() else pytester.path / "consumers"
    )
    (consumers / "conftest.py").write_text((ROOT / "consumers" / "conftest.py").read_text())
    (consumers / "test_session_to_user.py").write_text(CONSUMER_MODULE.replace("GREETING", greeting))
    pytester.makeini("[pytest]\nasyncio_mode = auto\n")
    result = pytester.runpytest_subprocess("consumers", "--pacts-dir", str(pytester.path / "pacts"), "-p", "asyncio")
    result.assert_outcomes(passed=1)
    document = json.loads((pytester.path / "pacts" / "session-user.json").read_text())
    (only,) = document["interactions"]
    return only["response"]


def test_the_pact_holds_the_fields_the_code_reads_and_grows_when_the_code_reads_more(
    pytester: pytest.Pytester,
) -> None:
    response = run_consumer_suite(pytester, 'f"Hello {user.name}"')
    assert response["body"]["content"] == {"name": "Ada Lovelace"}
    assert list(response["matchingRules"]["body"]) == ["$.name"]

    response = run_consumer_suite(pytester, 'f"Hello {user.name} <{user.email}>" if user.status else ""')
    assert response["body"]["content"] == {"email": "ada@example.com", "name": "Ada Lovelace", "status": "ACTIVE"}
    assert sorted(response["matchingRules"]["body"]) == ["$.email", "$.name", "$.status"]


def test_code_that_uses_a_whole_model_keeps_every_field_of_it(pytester: pytest.Pytester) -> None:
    response = run_consumer_suite(pytester, "user.model_dump_json()")
    assert set(response["body"]["content"]) == {
        "id",
        "email",
        "name",
        "roles",
        "status",
        "emailVerified",
        "createdAt",
        "updatedAt",
    }


def log(read: set[str], *, models: set[str], whole: set[str] | None = None, status: int = 200) -> ReadLog:
    return ReadLog("GET", "http://127.0.0.1:5000/internal/sessions", status, read, whole or set(), models)


def interaction(content: object, rules: dict[str, object]) -> dict:
    return {
        "description": "a page of sessions",
        "request": {"method": "GET", "path": "/internal/sessions"},
        "response": {
            "status": 200,
            "body": {"content": content, "contentType": "application/json", "encoded": False},
            "matchingRules": {"body": rules},
            "generators": {"body": {"$.sessions[*].id": {"type": "Uuid"}}},
        },
    }


PAGE = {"page": 1, "total": 2, "sessions": [{"id": "s-1", "status": "CONFIRMED", "guests": [{"email": "g@x.io"}]}]}
RULES = {
    "$.page": {"matchers": [{"match": "integer"}]},
    "$.sessions": {"matchers": [{"match": "type", "min": 1}]},
    "$.sessions[*].id": {"matchers": [{"match": "type"}]},
    "$.sessions[*].status": {"matchers": [{"match": "regex", "regex": "^(CONFIRMED)$"}]},
    "$.sessions[*].guests": {"matchers": [{"match": "type"}]},
}


def test_a_response_keeps_the_read_fields_of_each_item_and_their_matchers() -> None:
    document = {"interactions": [interaction(PAGE, dict(RULES))]}
    reads = log({"sessions", "sessions[].status"}, models={"", "sessions[]"})

    assert cut_to_reads(document, {"a page of sessions"}, [reads], ["http://127.0.0.1:5000"]) == 1

    response = document["interactions"][0]["response"]
    assert response["body"]["content"] == {"sessions": [{"status": "CONFIRMED"}]}
    assert sorted(response["matchingRules"]["body"]) == ["$.sessions", "$.sessions[*].status"]
    assert response["generators"]["body"] == {}


def test_answers_from_another_server_or_of_another_status_are_not_this_interactions_reads() -> None:
    document = {"interactions": [interaction(PAGE, dict(RULES))]}
    elsewhere = ReadLog("GET", "http://127.0.0.1:6000/internal/sessions", 200, {"page"}, set(), {""})

    assert (
        cut_to_reads(
            document,
            {"a page of sessions"},
            [elsewhere, log({"page"}, models={""}, status=201)],
            ["http://127.0.0.1:5000"],
        )
        == 0
    )
    assert document["interactions"][0]["response"]["body"]["content"] == PAGE


def test_a_read_value_that_is_not_a_model_is_kept_whole() -> None:
    document = {"interactions": [interaction(PAGE, dict(RULES))]}
    reads = log({"sessions", "sessions[].guests"}, models={"", "sessions[]"})

    cut_to_reads(document, {"a page of sessions"}, [reads], ["http://127.0.0.1:5000"])

    content = document["interactions"][0]["response"]["body"]["content"]
    assert content == {"sessions": [{"guests": [{"email": "g@x.io"}]}]}
