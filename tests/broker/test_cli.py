"""`solo60 broker ...` as an operator runs it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from solo60.cli import app
from tests.broker.support import ROOT


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["broker", "serve", "--port", "http"], "--port must be a number from 0 to 65535"),
        (["broker", "serve", "--port", "70000"], "--port must be a number from 0 to 65535"),
        (
            ["broker", "serve", "--database-url", "mysql://db"],
            "--database-url must be a sqlite:/// or postgresql:// URL",
        ),
        (["broker", "serve", "--base-url", "broker.example.com"], "--base-url must be an absolute http(s) URL"),
        (["broker", "migrate", "--database-url", "oracle://x"], "--database-url must be"),
    ],
)
def test_bad_arguments_get_one_line_saying_what_is_wrong(arguments: list[str], message: str) -> None:
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_a_taken_port_is_reported_not_hung_on(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "solo60",
                "broker",
                "serve",
                "--port",
                str(port),
                "--database-url",
                f"sqlite:///{tmp_path / 'b.sqlite'}",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_migrate_creates_the_database(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["broker", "migrate", "--database-url", f"sqlite:///{tmp_path / 'b.sqlite'}"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    assert (tmp_path / "b.sqlite").exists()


def test_openapi_prints_the_document(tmp_path: Path) -> None:
    target = tmp_path / "broker-openapi.json"
    result = CliRunner().invoke(app, ["broker", "openapi", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert "/contracts/publish" in json.loads(target.read_text())["paths"]


def test_the_default_database_lives_in_the_users_data_directory(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "PACT_DO_NOT_TRACK": "true"}
    env.pop("PACT_BROKER_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "solo60", "broker", "serve", "--port", "0"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stderr is not None
        first_line = process.stderr.readline()
    finally:
        process.kill()
        process.wait(timeout=10)
    expected = tmp_path / "data" / "solo60" / "broker" / "broker.sqlite"
    assert f"(database: {expected})" in first_line
    assert expected.exists()


def test_a_bad_setting_in_the_environment_is_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "solo60", "broker", "serve", "--database-url", f"sqlite:///{tmp_path / 'b.sqlite'}"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, "PACT_BROKER_MAX_CONCURRENT_REQUESTS": "lots"},
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "error: PACT_BROKER_MAX_CONCURRENT_REQUESTS must be a number, got 'lots'"


def test_clean_from_the_command_line(tmp_path: Path) -> None:
    from broker.testing import running_broker

    url = f"sqlite:///{tmp_path / 'b.sqlite'}"
    with running_broker(url) as broker, httpx.Client(base_url=broker) as http:
        for number in ("1", "2"):
            http.put(f"/pacticipants/web/versions/{number}", json={})
    keep = '[{"latest": true}]'
    planned = CliRunner().invoke(app, ["broker", "clean", "--dry-run", "--keep", keep, "--database-url", url])
    assert planned.exit_code == 0, planned.output
    assert "Clean would delete 1 versions." in planned.output
    assert "web" in planned.output
    done = CliRunner().invoke(app, ["broker", "clean", "--keep", keep, "--database-url", url])
    assert done.exit_code == 0, done.output
    assert "Clean deleted 1 versions." in done.output
    again = CliRunner().invoke(app, ["broker", "clean", "--keep", keep, "--database-url", url])
    assert "Clean deleted 0 versions." in again.output


def test_clean_with_bad_keep_selectors_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["broker", "clean", "--keep", '[{"colour": 1}]', "--database-url", f"sqlite:///{tmp_path / 'b.sqlite'}"]
    )
    assert result.exit_code == 2
    assert result.output.strip() == "error: --keep: keep selector 1 has unknown key(s): colour"
