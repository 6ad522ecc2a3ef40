"""Proof that the gate bites: broken contracts fail verification and can-i-deploy says no.

The user service runs live; a provider change is made to its contract objects while it runs
(as a code change would), and the official `pact broker can-i-deploy` gives the verdict.

The same breaks are caught statically too: the provider publishes the OpenAPI document its
contract generates (with the official `pact pactflow publish-provider-contract`, reporting a
successful self-verification, which `solo60 fuzz` would supply), no provider version verifies
anything, and can-i-deploy says no naming the comparator's code and the interaction, or yes
for a compatible pact.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ConfigDict, Field

from solo60.clients import UserClient
from solo60.contracts.models import Name, RequestModel
from solo60.contracts.openapi import openapi_document
from solo60.contracts.user import User, UserServiceContract
from solo60.harness.broker_access import BrokerAccess, BrokerClient
from solo60.harness.made.contract_test import ContractTest
from solo60.harness.made.matchers import shape_of
from solo60.harness.made.pact_files import PactFile, pact_files
from solo60.harness.published.publish import PublishOptions, publish_pact
from solo60.harness.verified.junit import write_junit
from solo60.harness.verified.verification import BrokerSource, ResultsPublication, VerificationReport, verify
from solo60.harness.versions import Revision
from solo60.services.kit.errors import ValidationFailed
from solo60.services.kit.server import running_services
from solo60.services.user import routes as user_routes

ROOT = Path(__file__).resolve().parents[3]
PACT = ROOT / ".venv" / "bin" / "pact"
BASELINE = "auth-1"


@dataclass
class Loop:
    broker: BrokerClient
    broker_url: str
    user_url: str
    pact: PactFile
    tmp: Path

    def verify_from_broker(self, provider_version: str, *, branch: str = "main") -> VerificationReport:
        since = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
        return verify(
            "user",
            self.user_url,
            broker=BrokerSource(BrokerAccess(self.broker_url), provider_branch=branch, include_wip_since=since),
            publish=ResultsPublication(Revision(provider_version, branch)),
            quiet=True,
        )

    def publish_provider_contract(self, provider_version: str) -> None:
        """The user service's document as its contract objects now declare it, published as a
        self-verified provider contract by the official CLI (no verification of any pact)."""
        document = self.tmp / f"user-{provider_version}.json"
        document.write_text(json.dumps(openapi_document(UserServiceContract)))
        published = subprocess.run(
            [str(_pact_cli()), "pactflow", "publish-provider-contract", str(document), "--provider", "user",
             "--provider-app-version", provider_version, "--branch", "main", "--content-type", "application/json",
             "--verification-success", "--verifier", "schemathesis", "-b", self.broker_url],
            capture_output=True, text=True, timeout=60,
            env={key: value for key, value in os.environ.items() if not key.startswith("PACT_BROKER_")},
        )  # fmt: skip
        assert published.returncode == 0, published.stdout + published.stderr

    def can_i_deploy(self, consumer_version: str, provider_version: str) -> subprocess.CompletedProcess[str]:
        """The official CLI's verdict on deploying both versions together."""
        return subprocess.run(
            [str(_pact_cli()), "broker", "can-i-deploy", "--broker-base-url", self.broker_url,
             "--pacticipant", "auth", "--version", consumer_version,
             "--pacticipant", "user", "--version", provider_version],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip


def _pact_cli() -> Path:
    return PACT if PACT.exists() else Path(shutil.which("pact") or "pact")


@pytest.fixture(scope="module")
def loop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loop]:
    """auth's real pact with user, published on main and verified once (so it is not pending)."""
    from broker.testing import running_broker

    tmp = tmp_path_factory.mktemp("gate")
    suite = "consumers/auth/test_auth_to_user.py"
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", suite, "-q", "--pacts-dir", str(tmp / "pacts")],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env={**os.environ, "PACT_DO_NOT_TRACK": "true"},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-2000:]
    (pact,) = pact_files(tmp / "pacts")
    environ = {**os.environ, "SOLO60_PROVIDER_STATES": "1", "SOLO60_DATA_DIR": str(tmp / "data")}
    with running_broker() as broker_url, running_services(["user"], environ=environ) as services:
        broker = BrokerAccess(broker_url).client()
        publish_pact(broker, pact, PublishOptions(Revision(BASELINE, "main")))
        state = Loop(broker, broker_url, services["user"].url, pact, tmp)
        assert state.verify_from_broker("user-baseline").ok
        yield state
        broker.close()


class UserWithRenamedEmail(User):
    """The user, as a provider that renamed `email` to `emailAddress` would answer."""

    email: str = Field(serialization_alias="emailAddress")


class StricterCreateUser(RequestModel):
    """A provider that now refuses names longer than five characters."""

    model_config = ConfigDict(extra="forbid", strict=True)
    email: str
    name: Name = Field(max_length=5)


def failing(report: VerificationReport) -> str:
    assert not report.ok, "the broken provider passed verification"
    return report.describe_failures()


def test_renaming_a_response_field_fails_verification_naming_it_and_blocks_the_deploy(
    loop: Loop, monkeypatch: pytest.MonkeyPatch
) -> None:
    route = UserServiceContract.get_user_by_email
    monkeypatch.setattr(route, "responses", {200: UserWithRenamedEmail})

    failures = failing(loop.verify_from_broker("user-renamed"))
    said_no = loop.can_i_deploy(BASELINE, "user-renamed")
    monkeypatch.undo()
    reverted = loop.verify_from_broker("user-reverted")
    said_yes = loop.can_i_deploy(BASELINE, "user-reverted")

    assert "auth -> user: 'a lookup of a user by email' given 'a user exists'" in failures
    assert "$.email" in failures
    assert (said_no.returncode, "Computer says no" in said_no.stdout) == (1, True), said_no.stdout
    assert reverted.ok
    assert (said_yes.returncode, "Computer says yes" in said_yes.stdout) == (0, True), said_yes.stdout


def test_tightening_a_request_rule_fails_verification_and_blocks_the_deploy(
    loop: Loop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(UserServiceContract.create_user, "body", StricterCreateUser)

    failures = failing(loop.verify_from_broker("user-stricter"))
    said_no = loop.can_i_deploy(BASELINE, "user-stricter")

    assert "'a signup creating a user'" in failures
    assert "status" in failures
    assert "expected 201" in failures
    assert said_no.returncode == 1


def test_dropping_an_error_code_fails_verification_and_blocks_the_deploy(
    loop: Loop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(user_routes, "Conflict", ValidationFailed)  # a duplicate email is now a 400, not a 409

    failures = failing(loop.verify_from_broker("user-no-409"))
    said_no = loop.can_i_deploy(BASELINE, "user-no-409")

    assert "'a signup with an email another user has'" in failures
    assert "expected 409" in failures
    assert said_no.returncode == 1


async def _pact_expecting_a_nickname(directory: Path) -> Path:
    """A consumer change: auth now expects a `nickname` the user service never sends."""
    example = User.model_validate(
        {
            "id": "123", "email": "ada@example.com", "name": "Ada", "roles": ["MEMBER"], "status": "ACTIVE",
            "emailVerified": False, "createdAt": "2025-01-02T03:04:05Z", "updatedAt": "2025-01-02T03:04:05Z",
        }
    )  # fmt: skip
    contract = ContractTest("auth", "user", directory)
    (
        contract.request("a lookup of a user by email, with the nickname", "GET", "/internal/users/by-email")
        .given("a user exists", userId="123", email="ada@example.com")
        .with_query_parameter("email", "ada@example.com")
        .will_respond_with(200)
        .with_body({**shape_of(example), "nickname": "ada"}, content_type="application/json")
    )
    async with contract.client(UserClient) as users:
        await users.get_user_by_email(email="ada@example.com")
    return directory / "auth-user.json"


async def test_a_consumer_expecting_a_field_the_provider_never_sends_fails_verification_naming_it(loop: Loop) -> None:
    pact = await _pact_expecting_a_nickname(loop.tmp / "nickname")

    report = verify("user", loop.user_url, pacts=[pact], quiet=True)
    write_junit([report], loop.tmp / "junit.xml")

    failures = failing(report)
    assert "'a lookup of a user by email, with the nickname' given 'a user exists'" in failures
    assert "$.nickname" in failures
    case = ElementTree.parse(loop.tmp / "junit.xml").find(".//testcase/failure/..")
    assert case is not None
    assert case.get("classname") == "auth.to.user"
    assert "$.nickname" in case.find("failure").get("message")


async def test_a_new_expectation_arrives_pending_the_provider_build_passes_and_the_consumer_cannot_deploy(
    loop: Loop,
) -> None:
    pact = await _pact_expecting_a_nickname(loop.tmp / "feature")
    publish_pact(
        loop.broker, PactFile("auth", "user", pact, 1), PublishOptions(Revision("auth-feature", "feat/nickname"))
    )

    report = loop.verify_from_broker("user-2")
    consumer_blocked = loop.can_i_deploy("auth-feature", "user-2")
    main_still_fine = loop.can_i_deploy(BASELINE, "user-2")

    assert report.ok, report.describe_failures()  # the provider build does not fail...
    assert [item.description for item in report.pending_failures] == ["a lookup of a user by email, with the nickname"]
    assert consumer_blocked.returncode == 1  # ...and the consumer's new version cannot be deployed
    assert "Computer says no" in consumer_blocked.stdout
    assert main_still_fine.returncode == 0


# --- caught statically: provider contracts, no provider verification ---------------------------


def test_a_renamed_response_field_is_caught_statically_naming_the_code_and_the_interaction(
    loop: Loop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(UserServiceContract.get_user_by_email, "responses", {200: UserWithRenamedEmail})
    loop.publish_provider_contract("user-contract-renamed")
    monkeypatch.undo()
    loop.publish_provider_contract("user-contract-reverted")

    said_no = loop.can_i_deploy(BASELINE, "user-contract-renamed")
    said_yes = loop.can_i_deploy(BASELINE, "user-contract-reverted")

    assert (said_no.returncode, "Computer says no" in said_no.stdout) == (1, True), said_no.stdout
    assert "cross contract comparison between the pact for version auth-1 of auth" in said_no.stdout
    assert "response.body.incompatible in 'a lookup of a user by email' given 'a user exists'" in said_no.stdout
    assert "/contracts/bi-directional/provider/user/version/user-contract-renamed/" in said_no.stdout
    assert (said_yes.returncode, "Computer says yes" in said_yes.stdout) == (0, True), said_yes.stdout


def test_a_dropped_error_code_is_caught_statically(loop: Loop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(UserServiceContract.create_user, "errors", ())  # 409 is no longer a documented answer
    loop.publish_provider_contract("user-contract-no-409")

    said_no = loop.can_i_deploy(BASELINE, "user-contract-no-409")

    assert said_no.returncode == 1, said_no.stdout
    assert "response.status.unknown in 'a signup with an email another user has'" in said_no.stdout


async def test_a_consumer_expecting_a_field_the_provider_never_sends_is_caught_statically(loop: Loop) -> None:
    pact = await _pact_expecting_a_nickname(loop.tmp / "nickname-static")
    publish_pact(
        loop.broker,
        PactFile("auth", "user", pact, 1),
        PublishOptions(Revision("auth-nickname", "feat/nickname-static")),
    )
    loop.publish_provider_contract("user-contract-current")

    consumer_blocked = loop.can_i_deploy("auth-nickname", "user-contract-current")
    main_fine = loop.can_i_deploy(BASELINE, "user-contract-current")

    assert consumer_blocked.returncode == 1, consumer_blocked.stdout
    assert (
        "response.body.incompatible in 'a lookup of a user by email, with the nickname' given 'a user exists'"
        in consumer_blocked.stdout
    )
    assert main_fine.returncode == 0, main_fine.stdout
