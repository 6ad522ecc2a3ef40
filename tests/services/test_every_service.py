"""What holds for every service, checked for each one that exists."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from solo60.contracts.openapi import openapi_document
from solo60.services import available, definition
from solo60.services.kit.database import sync_url
from solo60.services.kit.settings import ServiceSettings

SERVICES = available()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "postgres":
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{tmp_path / 'db.sqlite'}"


@pytest.mark.parametrize("name", SERVICES)
async def test_migrations_build_exactly_the_tables_the_code_uses(name: str, empty_database: str) -> None:
    service = definition(name)
    db = service.database(ServiceSettings(service=name, database_url=empty_database))
    await db.migrate()
    await db.migrate()  # a second start finds nothing to do
    await db.dispose()

    engine = sa.create_engine(sync_url(db.url))
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "version_table": f"{name}_alembic_version"}
        )
        differences = compare_metadata(context, service.metadata)
    engine.dispose()
    assert differences == [], f"{name}: migrations and storage models differ; add a migration: {differences}"


@pytest.mark.parametrize("name", SERVICES)
def test_every_contract_route_is_implemented_once(name: str) -> None:
    service = definition(name)
    handlers = service.routes(runtime=None).handlers()
    assert set(handlers) == set(service.contract.routes())


@pytest.mark.parametrize("name", SERVICES)
def test_the_openapi_document_describes_every_route_with_auth_and_errors(name: str) -> None:
    service = definition(name)
    document = openapi_document(service.contract)

    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["ServiceApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "x-api-key",
        "description": document["components"]["securitySchemes"]["ServiceApiKey"]["description"],
    }
    operations = [(path, method) for path, item in document["paths"].items() for method in item]
    assert len(operations) == len(service.contract.routes())
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert "401" in operation["responses"], f"{method} {path} does not document 401"
            assert "429" in operation["responses"], f"{method} {path} does not document 429"
            for status, response in operation["responses"].items():
                assert "x-correlation-id" in response["headers"], f"{method} {path} {status}"


@pytest.mark.parametrize("name", SERVICES)
def test_provider_states_are_described(name: str) -> None:
    for state in definition(name).states.describe():
        assert state["description"], f"{name} state {state['name']!r} needs a docstring saying what it sets up"


@pytest.mark.parametrize("name", SERVICES)
def test_the_operations_a_state_lists_are_operations_of_its_service(name: str) -> None:
    document = openapi_document(definition(name).contract)
    operations = {f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item}
    for state in definition(name).states.describe():
        unknown = set(state["operations"]) - operations
        assert not unknown, f"{name} state {state['name']!r} lists operations its document lacks: {sorted(unknown)}"
