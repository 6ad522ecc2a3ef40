"""`solo60 codegen`: one typed client per contract, committed, and a check that fails when they are stale."""

from __future__ import annotations

import inspect
import subprocess
import sys
import typing
from pathlib import Path

import pytest
from typer.testing import CliRunner

import solo60.clients
from solo60.cli import app
from solo60.contracts import all_contracts
from solo60.contracts.codegen import (
    GENERATED_DIR,
    GenerationError,
    client_class_name,
    render_client_module,
    stale_files,
    write_files,
)
from solo60.contracts.models import QueryModel, ResponseModel
from solo60.contracts.route import Contract, Route
from solo60.contracts.user import CreateUser, Role, RoleCheck, User
from tests.clients.probe import NewThing, ProbeClient, ProbeContract, Thing, ThingList

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_clients_are_generated_from_the_current_contracts() -> None:
    stale = stale_files(GENERATED_DIR, all_contracts())

    assert stale == [], f"stale generated clients: {stale}; run `solo60 codegen` and commit the result"


def test_every_contract_has_a_client_with_a_method_for_each_route() -> None:
    for contract in all_contracts():
        client = getattr(solo60.clients, client_class_name(contract.service))
        assert client.service == contract.service
        for route in contract.routes():
            assert inspect.iscoroutinefunction(getattr(client, route.name)), f"{client.__name__}.{route.name}"


def test_check_exits_non_zero_naming_the_stale_files_and_a_run_brings_them_up_to_date(tmp_path) -> None:
    write_files(tmp_path, all_contracts())
    (tmp_path / "user.py").write_text((tmp_path / "user.py").read_text() + "# edited by hand\n")
    (tmp_path / "retired.py").write_text("")
    runner = CliRunner()

    stale = runner.invoke(app, ["codegen", "--check", "--output", str(tmp_path)])
    fixed = runner.invoke(app, ["codegen", "--output", str(tmp_path)])
    current = runner.invoke(app, ["codegen", "--check", "--output", str(tmp_path)])

    assert stale.exit_code == 1
    assert "retired.py" in stale.output
    assert "user.py" in stale.output
    assert "gym.py" not in stale.output
    assert fixed.exit_code == 0
    assert not (tmp_path / "retired.py").exists()
    assert current.exit_code == 0, current.output


def test_the_generated_modules_are_ruff_clean(tmp_path) -> None:
    (tmp_path / "probe.py").write_text(render_client_module(ProbeContract))
    paths = [str(GENERATED_DIR), str(tmp_path / "probe.py")]
    config = ["--config", str(ROOT / "pyproject.toml")]

    lint = subprocess.run([sys.executable, "-m", "ruff", "check", *config, *paths], capture_output=True, text=True)
    layout = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--diff", *config, *paths], capture_output=True, text=True
    )

    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert layout.returncode == 0, layout.stdout + layout.stderr


def test_a_method_takes_path_parameters_in_order_and_returns_the_success_model() -> None:
    signature = inspect.signature(solo60.clients.UserClient.check_role)
    hints = typing.get_type_hints(solo60.clients.UserClient.check_role)

    assert list(signature.parameters) == ["self", "user_id", "role"]
    assert hints == {"user_id": str, "role": Role, "return": RoleCheck}


def test_a_method_takes_the_body_as_one_model() -> None:
    hints = typing.get_type_hints(solo60.clients.UserClient.create_user)

    assert hints == {"body": CreateUser, "return": User}


def test_query_fields_are_keyword_arguments_with_the_contracts_defaults() -> None:
    parameters = inspect.signature(ProbeClient.find_things).parameters
    hints = typing.get_type_hints(ProbeClient.find_things)

    assert all(parameters[name].kind is inspect.Parameter.KEYWORD_ONLY for name in ("name_prefix", "page", "tags"))
    assert parameters["name_prefix"].default is inspect.Parameter.empty
    assert parameters["page"].default == 1
    assert parameters["tags"].default is None  # a factory default is left to the model
    assert hints["tags"] == list[str] | None
    assert hints["return"] is ThingList


def test_keyed_routes_take_an_optional_idempotency_key_and_several_successes_give_a_union() -> None:
    parameters = inspect.signature(ProbeClient.buy_thing).parameters
    hints = typing.get_type_hints(ProbeClient.buy_thing)

    assert parameters["idempotency_key"].kind is inspect.Parameter.KEYWORD_ONLY
    assert parameters["idempotency_key"].default is None
    assert hints["body"] is NewThing
    assert hints["return"] is Thing  # 200 and 201 both answer a Thing


def test_a_route_answering_204_returns_none() -> None:
    assert typing.get_type_hints(ProbeClient.delete_thing)["return"] is type(None)


class _Clashing(QueryModel):
    thing_id: str


class _Answer(ResponseModel):
    ok: bool


def test_two_inputs_that_would_share_an_argument_name_are_refused() -> None:
    class ClashContract(Contract):
        service = "clash"
        title = "clash"
        read = Route("GET", "/internal/things/{thingId}", summary="Read", query=_Clashing, responses={200: _Answer})

    with pytest.raises(GenerationError, match="thing_id"):
        render_client_module(ClashContract)
