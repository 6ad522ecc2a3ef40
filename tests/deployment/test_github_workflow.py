"""The CI workflow has the real shape: publish, verify from the broker, gate, then record."""

from __future__ import annotations

from pathlib import Path

import yaml

from solo60.services import SERVICE_NAMES

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = yaml.safe_load((ROOT / ".github" / "workflows" / "contracts.yml").read_text())
JOBS = WORKFLOW["jobs"]


def _commands(job: str) -> str:
    return "\n".join(step.get("run", "") for step in JOBS[job]["steps"])


def test_the_jobs_run_in_the_order_of_the_contract_loop() -> None:
    assert JOBS["provider-verification"]["needs"] == "consumer-pacts"
    assert JOBS["can-i-deploy"]["needs"] == "provider-verification"
    assert JOBS["deploy"]["needs"] == "can-i-deploy"
    assert "refs/heads/main" in JOBS["deploy"]["if"]


def test_consumers_publish_with_the_commit_and_branch() -> None:
    commands = _commands("consumer-pacts")
    assert "pytest consumers/" in commands
    assert "--publish" in commands
    assert '--consumer-version "$VERSION"' in commands
    assert WORKFLOW["env"]["VERSION"] == "${{ github.sha }}"


def test_every_provider_with_consumers_verifies_from_the_broker_and_publishes() -> None:
    providers = JOBS["provider-verification"]["strategy"]["matrix"]["provider"]
    assert sorted(providers) == sorted(name for name in SERVICE_NAMES if name != "auth")
    for provider in providers:
        assert (ROOT / "providers" / f"test_{provider}.py").exists(), provider
    commands = _commands("provider-verification")
    for flag in ("--broker-url", "--publish", "--provider-version", "--provider-branch", "--include-wip-since"):
        assert flag in commands


def test_the_gate_asks_for_every_service_and_the_deploy_records_every_service() -> None:
    gate = _commands("can-i-deploy")
    for service in SERVICE_NAMES:
        assert f"--pacticipant {service} --version" in gate
    assert "pact broker can-i-deploy" in gate
    deploy = _commands("deploy")
    assert "solo60 record-deployment" in deploy
    assert all(service in deploy for service in SERVICE_NAMES)
