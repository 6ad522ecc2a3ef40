"""The proof of the consumer-aware gate (issue 11, item 3): a change breaks exactly the consumers that use
what it changes, read from `pacts/` offline and from a broker alike.

Each test changes a copy of the project's contracts in a scratch repository (the working tree
against `main`) and writes the pacts consumers would have recorded: only the fields they read.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from solo60.harness.broker_access import BrokerAccess, BrokerClient
from tests.harness.breaking.workspace import (
    breaking,
    broken,
    change,
    changes,
    contracts_repository,
    edit,
    interaction,
    pact,
    publish,
    publish_provider_contract,
    verdict,
    write_pact,
)

GET_USER = "GET /internal/users/{userId}"
BY_EMAIL = "GET /internal/users/by-email"
UPDATE_USER = "PATCH /internal/users/{userId}"
USER_MODEL = "solo60/contracts/user.py"

SESSION_READS_A_MEMBER = pact(
    "session",
    "user",
    interaction(
        "a request for an active member",
        "GET",
        "/internal/users/123",
        consumer="session",
        response={"name": "Ada Lovelace", "status": "ACTIVE"},
    ),
)
AUTH_LOOKS_UP_BY_EMAIL = pact(
    "auth",
    "user",
    interaction(
        "a lookup of a user by email",
        "GET",
        "/internal/users/by-email",
        consumer="auth",
        query={"email": ["ada@example.com"]},
        response={"id": "123", "emailVerified": False},
    ),
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return contracts_repository(tmp_path / "repo")


@pytest.fixture
def broker() -> Iterator[BrokerClient]:
    from broker.testing import running_broker

    with running_broker() as url, BrokerAccess(url).client() as client:
        yield client


def rename_the_users_name(repo: Path) -> None:
    edit(repo, USER_MODEL, "    name: str\n    roles: list[Role]", "    full_name: str\n    roles: list[Role]")


def test_a_renamed_response_field_a_consumer_reads_breaks_that_consumer_and_names_its_interaction(repo: Path) -> None:
    write_pact(repo, SESSION_READS_A_MEMBER)
    write_pact(repo, AUTH_LOOKS_UP_BY_EMAIL)
    rename_the_users_name(repo)

    code, found = verdict(repo, "user")

    assert code == 1
    removed = change(found, "user", GET_USER, "response 200 body: name", "response field")
    assert removed["action"] == "removed"
    assert broken(removed) == [("session", "a request for an active member")]
    assert "must NOT have additional properties - name" in removed["breaks"][0]["problems"][0]
    # auth reads the same model from another route, but not its name: that removal is safe
    assert change(found, "user", BY_EMAIL, "response 200 body: name", "response field")["safe"]
    assert change(found, "user", GET_USER, "response 200 body: fullName", "response field")["safe"]

    code, table, _ = breaking(repo, "user")
    assert code == 1
    assert f"{GET_USER} response field removed: response 200 body: name breaks:" in table
    assert "session working tree (pacts/session-user.json): a request for an active member" in table


def test_removing_a_response_field_no_consumer_reads_passes_and_is_listed_as_safe(repo: Path) -> None:
    write_pact(repo, SESSION_READS_A_MEMBER)
    write_pact(repo, AUTH_LOOKS_UP_BY_EMAIL)
    edit(repo, USER_MODEL, "    created_at: Timestamp\n    updated_at: Timestamp\n", "    created_at: Timestamp\n")

    code, found = verdict(repo, "user")

    assert code == 0
    for operation in (GET_USER, BY_EMAIL, UPDATE_USER):
        removed = change(found, "user", operation, "response 200 body: updatedAt", "response field")
        assert (removed["action"], removed["safe"], removed["breaks"]) == ("removed", True, [])
    code, table, _ = breaking(repo, "user")
    assert code == 0
    assert "safe" in table
    assert "No consumer that matters breaks" in table


def test_a_request_field_made_required_breaks_only_the_consumer_that_does_not_send_it(repo: Path) -> None:
    sends_status = interaction(
        "suspending a member",
        "PATCH",
        "/internal/users/123",
        consumer="session",
        request={"status": "SUSPENDED"},
        response={"status": "SUSPENDED"},
    )
    omits_status = interaction(
        "marking a user's email verified",
        "PATCH",
        "/internal/users/123",
        consumer="auth",
        request={"emailVerified": True},
        response={"emailVerified": True},
    )
    write_pact(repo, pact("session", "user", sends_status))
    write_pact(repo, pact("auth", "user", omits_status))
    edit(repo, USER_MODEL, "    status: UserStatus | None = None\n", "    status: UserStatus\n")

    code, found = verdict(repo, "user")

    assert code == 1
    required = change(found, "user", UPDATE_USER, "request body: status", "requiredness")
    assert required["detail"] == "optional -> required"
    assert broken(required) == [("auth", "marking a user's email verified")]
    assert all(entry["consumer"] != "session" for item in changes(found, "user") for entry in item["breaks"])


def test_a_consumer_version_only_on_a_feature_branch_does_not_block(repo: Path, broker: BrokerClient) -> None:
    reads_only_the_status = pact(
        "session",
        "user",
        interaction(
            "a request for an active member",
            "GET",
            "/internal/users/123",
            consumer="session",
            response={"status": "ACTIVE"},
        ),
    )
    publish(broker, reads_only_the_status, version="main-1", branch="main")
    publish(broker, SESSION_READS_A_MEMBER, version="feature-1", branch="feature/greet-by-name")
    rename_the_users_name(repo)

    code, found = verdict(repo, "user", "--broker-url", broker.base_url)

    assert code == 0
    consumers = next(item for item in found["providers"] if item["provider"] == "user")["consumers"]
    assert [(item["consumer"], item["version"]) for item in consumers] == [("session", "main-1")]
    assert change(found, "user", GET_USER, "response 200 body: name", "response field")["safe"]

    # once the feature is merged (its version on main), the same change blocks, naming it
    publish(broker, SESSION_READS_A_MEMBER, version="main-2", branch="main")
    code, found = verdict(repo, "user", "--broker-url", broker.base_url)
    assert code == 1
    removed = change(found, "user", GET_USER, "response 200 body: name", "response field")
    assert [(entry["consumer"], entry["version"]) for entry in removed["breaks"]] == [("session", "main-2")]
    assert "main branch" in removed["breaks"][0]["why"]


def test_a_deployed_version_counts_in_its_environment_and_only_there(repo: Path, broker: BrokerClient) -> None:
    from solo60.harness.judged.deployments import record_deployment
    from solo60.harness.judged.environments import create_environment

    publish(broker, SESSION_READS_A_MEMBER, version="old-1", branch="release/1")
    create_environment(broker, "production", production=True)
    create_environment(broker, "staging", production=False)
    record_deployment(broker, "session", "old-1", "production")
    rename_the_users_name(repo)

    code, found = verdict(repo, "user", "--broker-url", broker.base_url, "--environment", "production")
    assert code == 1
    removed = change(found, "user", GET_USER, "response 200 body: name", "response field")
    assert [(entry["consumer"], entry["version"]) for entry in removed["breaks"]] == [("session", "old-1")]
    assert "production" in removed["breaks"][0]["why"]

    code, _ = verdict(repo, "user", "--broker-url", broker.base_url, "--environment", "staging")
    assert code == 0

    code, _, err = breaking(repo, "user", "--broker-url", broker.base_url, "--environment", "qa")
    assert code == 2
    assert "no environment 'qa'" in err


def test_pacts_offline_and_from_a_broker_give_the_same_answers(repo: Path, broker: BrokerClient) -> None:
    for document in (SESSION_READS_A_MEMBER, AUTH_LOOKS_UP_BY_EMAIL):
        write_pact(repo, document)
        publish(broker, document, version="1", branch="main")
    rename_the_users_name(repo)
    edit(repo, USER_MODEL, "    created_at: Timestamp\n    updated_at: Timestamp\n", "    created_at: Timestamp\n")

    offline_code, offline = verdict(repo, "user")
    broker_code, online = verdict(repo, "user", "--broker-url", broker.base_url)

    def answers(document: dict) -> list[tuple]:
        return [
            (item["operation"], item["category"], item["action"], item["location"], item["safe"], tuple(broken(item)))
            for item in changes(document, "user")
        ]

    assert offline_code == broker_code == 1
    assert answers(offline) == answers(online)
    assert any(not item[4] for item in answers(offline))
    assert any(item[4] for item in answers(offline))


def test_the_base_can_be_the_providers_latest_main_branch_contract_in_the_broker(
    repo: Path, broker: BrokerClient
) -> None:
    from solo60.harness.breaking.documents import ref_documents

    base, _ = ref_documents(repo, "main")
    publish_provider_contract(broker, "user", base["user"], version="u-1")
    publish(broker, SESSION_READS_A_MEMBER, version="1", branch="main")
    rename_the_users_name(repo)

    code, found = verdict(repo, "user", "--broker-url", broker.base_url, "--base", "broker")

    assert code == 1
    assert broken(change(found, "user", GET_USER, "response 200 body: name", "response field")) == [
        ("session", "a request for an active member")
    ]


def test_wrong_arguments_are_one_line_and_exit_2(repo: Path) -> None:
    for arguments, message in (
        (("nobody",), "unknown provider nobody"),
        (("--base", "no-such-ref"), "no-such-ref"),
        (("--base", "broker"), "--base broker needs --broker-url"),
        (("--environment", "production"), "--environment needs --broker-url"),
    ):
        code, out, err = breaking(repo, *arguments)
        assert code == 2, (arguments, out, err)
        assert message in err
        assert len(err.strip().splitlines()) == 1


def test_a_response_field_made_optional_breaks_the_consumers_that_read_it_only(repo: Path) -> None:
    """The comparator ignores `required` in responses; the gate does not: a field no longer promised
    breaks whoever reads it."""
    reads_when_updated = pact(
        "communication",
        "user",
        interaction(
            "a request for a member's last change",
            "GET",
            "/internal/users/123",
            consumer="communication",
            response={"updatedAt": "2025-01-02T03:04:05Z"},
        ),
    )
    write_pact(repo, reads_when_updated)
    write_pact(repo, SESSION_READS_A_MEMBER)
    edit(repo, USER_MODEL, "    updated_at: Timestamp\n", "    updated_at: Timestamp | None = None\n")

    code, found = verdict(repo, "user")

    assert code == 1
    optional = change(found, "user", GET_USER, "response 200 body: updatedAt", "requiredness")
    assert broken(optional) == [("communication", "a request for a member's last change")]
    assert "no longer promises to send" in optional["breaks"][0]["problems"][0]
    assert change(found, "user", BY_EMAIL, "response 200 body: updatedAt", "requiredness")["safe"]
