"""A scratch repository holding a copy of the project's contracts, for changing them and asking the gate.

The contracts are committed on `main` as they are, then a test edits the working tree (a field
renamed, made required...) and writes the consumers' pacts, as a pull request would.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from solo60.cli import app

ROOT = Path(__file__).resolve().parents[3]
NO_BROKER_FROM_THE_ENVIRONMENT: dict[str, str | None] = {
    name: None for name in ("PACT_BROKER_BASE_URL", "PACT_BROKER_USERNAME", "PACT_BROKER_PASSWORD", "PACT_BROKER_TOKEN")
}
"""Unset for the command under test: only a test's `--broker-url` names a broker."""
GIT_IDENTITY = ["-c", "user.email=gate@solo60.test", "-c", "user.name=gate"]


def git(repo: Path, *arguments: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *GIT_IDENTITY, *arguments], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def contracts_repository(directory: Path) -> Path:
    """A git repository on `main` whose one commit holds the project's contracts."""
    (directory / "solo60").mkdir(parents=True)
    shutil.copy(ROOT / "solo60" / "__init__.py", directory / "solo60" / "__init__.py")
    shutil.copytree(
        ROOT / "solo60" / "contracts", directory / "solo60" / "contracts", ignore=shutil.ignore_patterns("__pycache__")
    )
    (directory / "pacts").mkdir()
    (directory / ".gitignore").write_text("pacts/\n.solo60/\n")
    git(directory, "init", "-q", "-b", "main")
    git(directory, "add", "-A")
    git(directory, "commit", "-q", "-m", "the contracts on main")
    return directory


def edit(repo: Path, relative: str, old: str, new: str) -> None:
    path = repo / relative
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} is not once in {relative}"
    path.write_text(text.replace(old, new))


def interaction(
    description: str,
    method: str,
    path: str,
    *,
    consumer: str,
    status: int = 200,
    response: Any = None,
    request: Any = None,
    query: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """A V4 HTTP interaction as the harness writes it, with the service key and the consumer's name."""
    sent: dict[str, Any] = {
        "method": method,
        "path": path,
        "headers": {"x-api-key": ["solo60-dev-key"], "x-service-name": [consumer]},
    }
    if query:
        sent["query"] = query
    if request is not None:
        sent["headers"]["Content-Type"] = ["application/json"]
        sent["body"] = {"content": request, "contentType": "application/json", "encoded": False}
    answered: dict[str, Any] = {"status": status}
    if response is not None:
        answered["headers"] = {"Content-Type": ["application/json"]}
        answered["body"] = {"content": response, "contentType": "application/json", "encoded": False}
    return {
        "type": "Synchronous/HTTP",
        "description": description,
        "providerStates": [],
        "request": sent,
        "response": answered,
    }


def pact(consumer: str, provider: str, *interactions: dict[str, Any]) -> dict[str, Any]:
    return {
        "consumer": {"name": consumer},
        "provider": {"name": provider},
        "interactions": list(interactions),
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }


def write_pact(repo: Path, document: dict[str, Any]) -> None:
    name = f"{document['consumer']['name']}-{document['provider']['name']}.json"
    (repo / "pacts" / name).write_text(json.dumps(document, indent=2))


def publish(client: Any, document: dict[str, Any], *, version: str, branch: str) -> None:
    """Publish a pact the way `pact broker publish` does (one contract, with the version's branch)."""
    consumer = document["consumer"]["name"]
    client.post(
        "/contracts/publish",
        {
            "pacticipantName": consumer,
            "pacticipantVersionNumber": version,
            "branch": branch,
            "contracts": [
                {
                    "consumerName": consumer,
                    "providerName": document["provider"]["name"],
                    "specification": "pact",
                    "contentType": "application/json",
                    "content": base64.b64encode(json.dumps(document).encode()).decode(),
                }
            ],
        },
    )


def publish_provider_contract(client: Any, provider: str, document: dict[str, Any], *, version: str) -> None:
    client.post(
        f"/provider-contracts/provider/{provider}/publish",
        {
            "pacticipantVersionNumber": version,
            "branch": "main",
            "contract": {
                "content": base64.b64encode(json.dumps(document).encode()).decode(),
                "contentType": "application/json",
                "specification": "oas",
                "selfVerificationResults": {"success": True, "verifier": "pytest", "verifierVersion": "1"},
            },
        },
    )


def breaking(repo: Path, *arguments: str) -> tuple[int, str, str]:
    """`solo60 contracts breaking ARGS --repo REPO`: exit code, stdout, stderr."""
    result = CliRunner().invoke(
        app,
        ["contracts", "breaking", *arguments, "--repo", str(repo)],
        env=NO_BROKER_FROM_THE_ENVIRONMENT,
        catch_exceptions=False,
    )
    return result.exit_code, result.stdout, result.stderr


def verdict(repo: Path, *arguments: str) -> tuple[int, dict[str, Any]]:
    code, out, err = breaking(repo, *arguments, "--json")
    assert code in (0, 1), err
    return code, json.loads(out)


def changes(document: dict[str, Any], provider: str) -> list[dict[str, Any]]:
    return next(item for item in document["providers"] if item["provider"] == provider)["changes"]


def change(document: dict[str, Any], provider: str, operation: str, location: str, category: str) -> dict[str, Any]:
    found = [
        item
        for item in changes(document, provider)
        if item["operation"] == operation and item["location"] == location and item["category"] == category
    ]
    assert len(found) == 1, f"no single {category} change at {operation} {location}: {changes(document, provider)}"
    return found[0]


def broken(item: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((entry["consumer"], entry["interaction"]) for entry in item["breaks"])
