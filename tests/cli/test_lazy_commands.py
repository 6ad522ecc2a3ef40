"""The `solo60` command line imports a subcommand only when it runs: `solo60 --help` and
`solo60 contracts compare` do not pay for the services, the broker or Schemathesis."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from solo60.cli.lazy import COMMANDS, load

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("fastapi", "sqlalchemy", "schemathesis", "solo60.services.kit", "broker.app", "solo60.fuzz")


def imported_after(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", f"import sys\n{code}\nprint(__import__('json').dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_help_lists_every_command_without_importing_any() -> None:
    modules = imported_after("from solo60.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass")
    assert not {name for name in modules if name.startswith(HEAVY)}


def test_contracts_compare_imports_the_comparator_and_nothing_heavy(tmp_path: Path) -> None:
    from tests.broker.provider_contracts.shop import get_item, pact, shop

    (tmp_path / "oas.json").write_text(json.dumps(shop()))
    (tmp_path / "pact.json").write_text(json.dumps(pact(get_item())))
    modules = imported_after(
        "from solo60.cli import main\ntry:\n"
        f"    main(['contracts', 'compare', '--json', '--oas', {str(tmp_path / 'oas.json')!r}, "
        f"{str(tmp_path / 'pact.json')!r}])\nexcept SystemExit:\n    pass"
    )
    assert "broker.provider_contracts.comparison.comparator" in modules
    assert not {name for name in modules if name.startswith(HEAVY)}
    # not even Typer, which validates every parameter through pydantic: the comparator's own parser
    assert not {name for name in modules if name.startswith(("typer", "pydantic"))}


def test_the_typer_application_runs_the_same_compare(tmp_path: Path) -> None:
    """`solo60.cli.app` (what tests and embedders drive) reaches the same parser and comparison."""
    from typer.testing import CliRunner

    from solo60.cli import app
    from tests.broker.provider_contracts.shop import get_item, pact, shop

    (tmp_path / "oas.json").write_text(json.dumps(shop()))
    (tmp_path / "bad.json").write_text(json.dumps(pact(get_item(response_body={"id": 1, "name": "Lamp", "price": 3}))))
    arguments = ["contracts", "compare", "--oas", str(tmp_path / "oas.json"), "--json", str(tmp_path / "bad.json")]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 1
    assert [item["code"] for item in json.loads(result.stdout)] == ["response.body.incompatible"]
    assert "usage: solo60 contracts compare" in CliRunner().invoke(app, ["contracts", "compare", "--help"]).stdout


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_help_line_shown_before_import_is_the_command_s_own(name: str) -> None:
    command = load(name)[name]
    assert COMMANDS[name].help == " ".join((command.help or "").split("\n\n")[0].split())
