"""Every `pact broker` subcommand of the official Rust CLI, run as a subprocess against a live
broker, asserting exit codes and what it prints."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.broker.support import BrokerClient, Receiver, interaction, run_pact, write_pact


def _ok(result) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    return result.stdout


def _fails(result) -> str:
    assert result.returncode != 0, result.stdout
    return result.stdout + result.stderr


def test_publish_prints_the_brokers_notices(broker: BrokerClient, pacts_dir: Path) -> None:
    write_pact(pacts_dir, "web", "api", interaction("get"))
    write_pact(pacts_dir, "web", "billing", interaction("charge"))
    out = _ok(
        run_pact(
            broker.url,
            "publish",
            str(pacts_dir),
            "--consumer-app-version",
            "1.0.0",
            "--branch",
            "feat/x",
            "--tag",
            "t1,t2",
            "--build-url",
            "https://ci/1",
        )
    )
    assert "Created web version 1.0.0 with branch feat/x and tags t1, t2" in out
    assert "Pact successfully published for web version 1.0.0 and provider api." in out
    assert "Pact successfully published for web version 1.0.0 and provider billing." in out
    assert "Warning" not in out
    assert broker.get("/pacticipants/web/versions/1.0.0").json()["buildUrl"] == "https://ci/1"
    again = _ok(
        run_pact(broker.url, "publish", str(pacts_dir), "--consumer-app-version", "1.0.0", "--branch", "feat/x")
    )
    assert "no content changes" in again


def test_publish_of_changed_content_for_a_published_version_fails_with_the_reason(
    broker: BrokerClient, pacts_dir: Path
) -> None:
    write_pact(pacts_dir, "web", "api", interaction("one"))
    _ok(run_pact(broker.url, "publish", str(pacts_dir), "--consumer-app-version", "1"))
    write_pact(pacts_dir, "web", "api", interaction("two"))
    out = _fails(run_pact(broker.url, "publish", str(pacts_dir), "--consumer-app-version", "1"))
    assert "Cannot change the content of the pact for web version 1" in out


def test_list_latest_pact_versions_and_get_pacts(broker: BrokerClient, pacts_dir: Path) -> None:
    broker.publish("web", "1", "api", branch="main")
    broker.publish("web", "2", "api", branch="feat", interactions=[interaction("new")])
    listed = _ok(run_pact(broker.url, "list-latest-pact-versions"))
    assert re.search(r"web.*2.*api", listed)
    main = _ok(run_pact(broker.url, "get-pacts", "--provider", "api"))
    assert "Pact between web (1) and api" in main
    feat = _ok(run_pact(broker.url, "get-pacts", "--provider", "api", "--branch", "feat", "--output", "json"))
    assert json.loads(feat)["pacts"][0]["title"] == "Pact between web (2) and api"
    download = pacts_dir / "downloaded"
    _ok(
        run_pact(
            broker.url,
            "get-pacts",
            "--provider",
            "api",
            "--consumer",
            "web",
            "--branch",
            "main",
            "--download",
            "--download-dir",
            str(download),
        )
    )
    files = list(download.glob("*.json"))
    assert [f.name for f in files] == ["web-api-1.json"]


def test_environment_commands(broker: BrokerClient) -> None:
    created = _ok(
        run_pact(
            broker.url,
            "create-environment",
            "--name",
            "staging",
            "--display-name",
            "Staging EU",
            "--contact-name",
            "Ops",
            "--contact-email-address",
            "ops@example.com",
        )
    )
    uuid = re.search(r"UUID ([0-9a-f-]{36})", created).group(1)
    listed = _ok(run_pact(broker.url, "list-environments"))
    assert "staging" in listed
    assert "Staging EU" in listed
    _ok(run_pact(broker.url, "update-environment", "--uuid", uuid, "--name", "staging", "--production"))
    described = _ok(run_pact(broker.url, "describe-environment", "--uuid", uuid))
    assert "staging" in described
    assert broker.get(f"/environments/{uuid}").json()["production"] is True
    _ok(run_pact(broker.url, "delete-environment", "--uuid", uuid))
    assert broker.get(f"/environments/{uuid}").status_code == 404
    missing = _fails(run_pact(broker.url, "describe-environment", "--uuid", uuid))
    assert "not found" in missing.lower() or "404" in missing


def test_record_deployment_and_undeployment(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api")
    broker.create_environment("production", production=True)
    out = _ok(
        run_pact(
            broker.url,
            "record-deployment",
            "--pacticipant",
            "web",
            "--version",
            "1",
            "--environment",
            "production",
            "--application-instance",
            "blue",
        )
    )
    assert "Recorded deployment of web version 1 to production environment" in out
    uuid = broker.environment_uuid("production")
    deployed = broker.get(f"/environments/{uuid}/deployed-versions/currently-deployed").json()["_embedded"][
        "deployedVersions"
    ]
    assert [(d["_embedded"]["version"]["number"], d["applicationInstance"]) for d in deployed] == [("1", "blue")]
    missing_env = _fails(
        run_pact(broker.url, "record-deployment", "--pacticipant", "web", "--version", "1", "--environment", "nowhere")
    )
    assert "nowhere" in missing_env
    _ok(
        run_pact(
            broker.url,
            "record-undeployment",
            "--pacticipant",
            "web",
            "--environment",
            "production",
            "--application-instance",
            "blue",
        )
    )
    assert (
        broker.get(f"/environments/{uuid}/deployed-versions/currently-deployed").json()["_embedded"]["deployedVersions"]
        == []
    )


def test_record_release_and_support_ended(broker: BrokerClient) -> None:
    broker.publish("app", "3", "api")
    broker.create_environment("store", production=True)
    out = _ok(
        run_pact(broker.url, "record-release", "--pacticipant", "app", "--version", "3", "--environment", "store")
    )
    assert "Recorded release of app version 3 to store environment" in out
    uuid = broker.environment_uuid("store")
    assert (
        len(
            broker.get(f"/environments/{uuid}/released-versions/currently-supported").json()["_embedded"][
                "releasedVersions"
            ]
        )
        == 1
    )
    _ok(
        run_pact(broker.url, "record-support-ended", "--pacticipant", "app", "--version", "3", "--environment", "store")
    )
    assert (
        broker.get(f"/environments/{uuid}/released-versions/currently-supported").json()["_embedded"][
            "releasedVersions"
        ]
        == []
    )


def test_can_i_deploy_to_an_environment(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api")
    broker.put("/pacticipants/api/versions/10")
    broker.record_deployment("api", "10", "production")
    no = _fails(
        run_pact(broker.url, "can-i-deploy", "--pacticipant", "web", "--version", "1", "--to-environment", "production")
    )
    assert "Computer says no" in no
    assert (
        "There is no verified pact between version 1 of web and the version of api currently in production (10)" in no
    )
    broker.verify("api", "web", "1", "10")
    yes = _ok(
        run_pact(broker.url, "can-i-deploy", "--pacticipant", "web", "--version", "1", "--to-environment", "production")
    )
    assert "Computer says yes" in yes
    assert re.search(r"web\s*┆\s*1\s*┆\s*api\s*┆\s*10\s*┆\s*true", yes)
    dry = _ok(
        run_pact(
            broker.url,
            "can-i-deploy",
            "--pacticipant",
            "web",
            "--version",
            "2",
            "--to-environment",
            "production",
            "--dry-run",
        )
    )
    assert "dry run" in dry.lower()


def test_can_i_deploy_judges_every_release_live_in_the_environment(broker: BrokerClient) -> None:
    """pact_broker #934: an older release still live in the environment blocks the deployment."""
    broker.publish("web", "1", "api")
    broker.verify("api", "web", "1", "10", success=False)
    broker.record_release("api", "10", "production")
    broker.verify("api", "web", "1", "11")
    broker.record_release("api", "11", "production")
    command = ("can-i-deploy", "--pacticipant", "web", "--version", "1", "--to-environment", "production")
    out = _fails(run_pact(broker.url, *command))
    assert "Computer says no" in out
    assert re.search(r"web\s*┆\s*1\s*┆\s*api\s*┆\s*10\s*┆\s*false", out)
    assert re.search(r"web\s*┆\s*1\s*┆\s*api\s*┆\s*11\s*┆\s*true", out)
    assert "one of the versions of api currently in production (10) failed" in out
    uuid = broker.environment_uuid("production")
    releases = broker.get(f"/environments/{uuid}/released-versions/currently-supported").json()
    older = next(
        item for item in releases["_embedded"]["releasedVersions"] if item["_embedded"]["version"]["number"] == "10"
    )
    broker.patch(older["_links"]["self"]["href"], {"currentlySupported": False})
    assert "Computer says yes" in _ok(run_pact(broker.url, *command))


def test_can_i_deploy_to_a_tag_with_several_pacticipants_and_ignore(broker: BrokerClient) -> None:
    broker.publish("web", "1", ["api", "billing"])
    broker.verify("api", "web", "1", "10", tags=["prod"])
    broker.verify("billing", "web", "1", "20", success=False, tags=["prod"])
    tagged = _fails(run_pact(broker.url, "can-i-deploy", "--pacticipant", "web", "--version", "1", "--to", "prod"))
    assert (
        "The verification for the pact between version 1 of web and the latest version of billing with tag prod (20) "
        "failed" in tagged
    )
    ignored = _ok(
        run_pact(
            broker.url, "can-i-deploy", "--pacticipant", "web", "--version", "1", "--to", "prod", "--ignore", "billing"
        )
    )
    assert "Computer says yes" in ignored
    several = _ok(
        run_pact(
            broker.url,
            "can-i-deploy",
            "--pacticipant",
            "web",
            "--version",
            "1",
            "--pacticipant",
            "api",
            "--latest",
            "prod",
        )
    )
    assert "Computer says yes" in several


def _matrix_requests(broker: BrokerClient) -> int:
    found = re.search(r'route="/matrix",status="200"\} (\d+)', broker.get("/metrics").text)
    return int(found.group(1)) if found else 0


def test_can_i_deploy_retries_while_the_answer_is_unknown(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api")
    broker.put("/pacticipants/api/versions/10")
    broker.record_deployment("api", "10", "production")
    before = _matrix_requests(broker)
    result = run_pact(
        broker.url,
        "can-i-deploy",
        "--pacticipant",
        "web",
        "--version",
        "1",
        "--to-environment",
        "production",
        "--retry-while-unknown",
        "2",
        "--retry-interval",
        "1",
    )
    out = _fails(result)
    assert "Computer says no" in out
    assert _matrix_requests(broker) - before == 3, "asked once plus two retries"


def test_can_i_merge_checks_against_main_branches(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api", branch="feat")
    broker.verify("api", "web", "1", "10", branch="main")
    broker.put("/pacticipants/api", {"mainBranch": "main"})
    _ok(run_pact(broker.url, "can-i-merge", "--pacticipant", "web", "--version", "1"))
    broker.put("/pacticipants/api/branches/main/versions/11")
    out = _fails(run_pact(broker.url, "can-i-merge", "--pacticipant", "web", "--version", "1"))
    assert "Computer says no" in out


def test_pacticipant_commands(broker: BrokerClient) -> None:
    _ok(
        run_pact(
            broker.url,
            "create-or-update-pacticipant",
            "--name",
            "billing",
            "--main-branch",
            "main",
            "--repository-url",
            "https://git/billing",
        )
    )
    _ok(run_pact(broker.url, "create-or-update-pacticipant", "--name", "billing", "--display-name", "Billing Service"))
    described = _ok(run_pact(broker.url, "describe-pacticipant", "--name", "billing"))
    assert "Billing Service" in described
    assert "main" in described
    assert "https://git/billing" in described
    listed = _ok(run_pact(broker.url, "list-pacticipants"))
    assert "billing" in listed
    assert "Billing Service" in listed
    assert "not found" in _fails(run_pact(broker.url, "describe-pacticipant", "--name", "ghost")).lower()


def test_version_tag_and_branch_commands(broker: BrokerClient) -> None:
    missing = _fails(
        run_pact(broker.url, "create-version-tag", "--pacticipant", "web", "--version", "1", "--tag", "prod")
    )
    assert "web" in missing or "not found" in missing.lower()
    _ok(
        run_pact(
            broker.url,
            "create-version-tag",
            "--pacticipant",
            "web",
            "--version",
            "1",
            "--tag",
            "prod",
            "qa",
            "--auto-create-version",
        )
    )
    assert [t["name"] for t in broker.get("/pacticipants/web/versions/1").json()["_embedded"]["tags"]] == ["prod", "qa"]
    described = _ok(run_pact(broker.url, "describe-version", "--pacticipant", "web", "--version", "1"))
    assert "prod" in described
    assert "qa" in described
    _ok(run_pact(broker.url, "delete-version-tag", "--pacticipant", "web", "--version", "1", "--tag", "qa"))
    assert [t["name"] for t in broker.get("/pacticipants/web/versions/1").json()["_embedded"]["tags"]] == ["prod"]
    _ok(
        run_pact(broker.url, "create-or-update-version", "--pacticipant", "web", "--version", "2", "--branch", "feat-y")
    )
    _ok(run_pact(broker.url, "create-or-update-version", "--pacticipant", "web", "--version", "3"))
    latest = _ok(run_pact(broker.url, "describe-version", "--pacticipant", "web"))
    assert "3" in latest
    tagged = _ok(run_pact(broker.url, "describe-version", "--pacticipant", "web", "--latest", "prod"))
    assert "prod" in tagged
    _ok(run_pact(broker.url, "delete-branch", "--pacticipant", "web", "--branch", "feat-y"))
    assert broker.get("/pacticipants/web/branches/feat-y").status_code == 404


def test_describe_version_in_an_environment(broker: BrokerClient) -> None:
    broker.publish("web", "1", "api")
    broker.record_deployment("web", "1", "production")
    out = _ok(
        run_pact(broker.url, "describe-version", "--pacticipant", "web", "--environment", "production", "--deployed")
    )
    assert "1" in out


def test_webhook_commands(broker: BrokerClient, receiver: Receiver) -> None:
    broker.publish("web", "1", "api")
    created = _ok(
        run_pact(
            broker.url,
            "create-webhook",
            f"{receiver.url}/built",
            "--request",
            "POST",
            "--header",
            "Content-Type: application/json",
            "--data",
            '{"c": "${pactbroker.consumerName}"}',
            "--consumer",
            "web",
            "--provider",
            "api",
            "--contract-published",
            "--description",
            "ci build",
        )
    )
    assert "Webhook" in created
    assert "created" in created.lower()
    [webhook] = broker.get("/webhooks").json()["_embedded"]["webhooks"]
    assert webhook["events"] == [{"name": "contract_published"}]
    uuid = "ci-hook-0000000000000001"
    _ok(
        run_pact(
            broker.url,
            "create-or-update-webhook",
            f"{receiver.url}/second",
            "--uuid",
            uuid,
            "--request",
            "POST",
            "--data",
            "{}",
            "--provider-verification-failed",
        )
    )
    _ok(
        run_pact(
            broker.url,
            "create-or-update-webhook",
            f"{receiver.url}/second",
            "--uuid",
            uuid,
            "--request",
            "POST",
            "--data",
            "{}",
            "--provider-verification-succeeded",
        )
    )
    assert broker.get(f"/webhooks/{uuid}").json()["events"] == [{"name": "provider_verification_succeeded"}]
    tested = _ok(run_pact(broker.url, "test-webhook", "--uuid", webhook["uuid"]))
    assert '"success":true' in tested.replace(" ", "")
    assert json.loads(receiver.requests[-1].body) == {"c": "web"}
    _ok(run_pact(broker.url, "delete-webhook", "--uuid", uuid))
    assert broker.get(f"/webhooks/{uuid}").status_code == 404
