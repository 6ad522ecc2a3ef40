"""`solo60 services ...` as an operator runs it: a real process, real ports, real signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from solo60.cli import app
from solo60.services import available

SOLO60 = [sys.executable, "-m", "solo60"]


def test_services_up_prints_the_urls_first_then_serves_until_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "SOLO60_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [*SOLO60, "services", "up", "user", "--free-ports", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        first_line = process.stdout.readline()
        urls = json.loads(first_line)
        assert list(urls) == ["user"]
        assert urls["user"].startswith("http://127.0.0.1:")
        assert httpx.get(f"{urls['user']}/ready").json()["status"] == "ready"
        assert httpx.get(f"{urls['user']}/internal/users/1", headers={"x-api-key": "solo60-dev-key"}).status_code == 404
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "stopping services" in stderr
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{urls['user']}/health")


def test_services_up_starts_every_service_on_its_own_port(tmp_path: Path) -> None:
    env = {**os.environ, "SOLO60_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [*SOLO60, "services", "up", "--free-ports", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        urls = json.loads(process.stdout.readline())
        assert set(urls) == set(available())
        assert len(set(urls.values())) == len(urls)
        for url in urls.values():
            assert httpx.get(f"{url}/ready").status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    assert process.returncode == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["services", "up", "billing"], "unknown service 'billing'"),
        (["services", "up", "user", "--port", "user"], "--port takes SERVICE=PORT"),
        (["services", "up", "user", "--port", "user=99999"], "--port takes SERVICE=PORT"),
    ],
)
def test_bad_arguments_get_one_line_saying_what_is_wrong(arguments: list[str], message: str) -> None:
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_taken_port_is_reported_not_hung_on(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*SOLO60, "services", "up", "user", "--port", f"user={port}"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "SOLO60_DATA_DIR": str(tmp_path)},
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_openapi_writes_each_service_the_merged_document_and_each_producers_asyncapi(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["services", "openapi", "--out", str(tmp_path)])

    assert result.exit_code == 0, result.output
    written = sorted(path.name for path in tmp_path.iterdir())
    events = ["session.asyncapi.json", "subscription.asyncapi.json"]
    assert written == sorted([f"{name}.openapi.json" for name in available()] + ["internal.openapi.json", *events])
    assert json.loads((tmp_path / "session.asyncapi.json").read_text())["asyncapi"] == "3.0.0"
    merged = json.loads((tmp_path / "internal.openapi.json").read_text())
    user = json.loads((tmp_path / "user.openapi.json").read_text())
    assert set(user["paths"]) <= set(merged["paths"])
    assert "user_get_user" in {op["operationId"] for item in merged["paths"].values() for op in item.values()}


def test_states_lists_each_providers_states() -> None:
    result = CliRunner().invoke(app, ["services", "states", "user"])
    assert result.exit_code == 0
    assert "a user exists" in result.output


def _started_with(tmp_path: Path, **environ: str) -> str:
    """Start the user service with these variables, stop it once it is ready; its stderr."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SERVICE_API_KEY")}
    env.update(SOLO60_DATA_DIR=str(tmp_path), **environ)
    process = subprocess.Popen(
        [*SOLO60, "services", "up", "user", "--free-ports", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        json.loads(process.stdout.readline())
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    return stderr


def test_services_up_warns_when_the_key_they_call_with_is_not_one_they_accept(tmp_path: Path) -> None:
    stderr = _started_with(tmp_path, SERVICE_API_KEYS="key-a,key-b", SERVICE_API_KEY="key-c")
    warning = " ".join(stderr.split())
    assert "warning: SERVICE_API_KEY, the key the services call each other with, is not among the keys" in warning
    assert "SERVICE_API_KEYS" in warning
    assert "503" in warning


def test_services_up_warns_when_only_other_keys_are_accepted_and_none_is_set_to_call_with(tmp_path: Path) -> None:
    stderr = _started_with(tmp_path, SERVICE_API_KEYS="key-a")
    assert "the development key (SERVICE_API_KEY unset)" in " ".join(stderr.split())


def test_services_up_says_nothing_about_keys_that_match(tmp_path: Path) -> None:
    assert "warning" not in _started_with(tmp_path, SERVICE_API_KEYS="key-a,key-b", SERVICE_API_KEY="key-b")
    keys_file = tmp_path / "keys"
    keys_file.write_text("rotated-key\n")
    assert "warning" not in _started_with(
        tmp_path, SERVICE_API_KEYS="key-a", SERVICE_API_KEYS_FILE=str(keys_file), SERVICE_API_KEY="rotated-key"
    )


def _children(pid: int) -> dict[int, str]:
    """The command lines of a process's children, by pid, read from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid:
            found[int(entry.name)] = command
    return found


def test_each_service_runs_in_its_own_process_with_the_workers_asked_for(tmp_path: Path) -> None:
    env = {**os.environ, "SOLO60_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [*SOLO60, "services", "up", "user", "gym", "--free-ports", "--json", "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        urls = json.loads(process.stdout.readline())
        servers = {pid: command for pid, command in _children(process.pid).items() if "serve_one" in command}
        assert sorted(command.split("serve_one ")[1].split()[0] for command in servers.values()) == ["gym", "user"]
        for pid in servers:
            workers = [command for command in _children(pid).values() if "resource_tracker" not in command]
            assert len(workers) == 2
        with httpx.Client(timeout=30) as client:  # a worker's first answer may be slow on a busy CI machine
            for url in urls.values():
                assert client.get(f"{url}/ready").status_code == 200
            created = client.post(
                f"{urls['user']}/internal/users",
                json={"email": "ada@example.com", "name": "Ada"},
                headers={"x-api-key": "solo60-dev-key"},
            )
            assert created.status_code == 201
            read_back = [
                client.get(
                    f"{urls['user']}/internal/users/{created.json()['id']}", headers={"x-api-key": "solo60-dev-key"}
                )
                for _ in range(6)
            ]
            assert {response.status_code for response in read_back} == {200}  # whichever worker answers
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert not [pid for pid in servers if Path(f"/proc/{pid}").exists()]


def test_one_process_serves_every_service_on_one_loop_as_before(tmp_path: Path) -> None:
    env = {**os.environ, "SOLO60_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [*SOLO60, "services", "up", "user", "gym", "--free-ports", "--json", "--one-process"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        urls = json.loads(process.stdout.readline())
        assert not [command for command in _children(process.pid).values() if "serve_one" in command]
        for url in urls.values():
            assert httpx.get(f"{url}/ready").status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=60)
    assert process.returncode == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["services", "up", "user", "--workers", "0"], "--workers takes a number of processes"),
        (["services", "up", "user", "--workers", "2", "--one-process"], "cannot also run --workers"),
    ],
)
def test_bad_worker_options_get_one_line(arguments: list[str], message: str) -> None:
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
