"""docker-compose.yml names the right images, ports and variables (no Docker engine runs here)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from solo60.services import DEFAULT_PORTS, SERVICE_NAMES
from solo60.services.kit.database import search_path_schema

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_it_runs_postgres_the_official_pact_broker_a_mail_catcher_and_the_seven_services() -> None:
    assert SERVICES["postgres"]["image"].startswith("postgres:")
    assert SERVICES["pact-broker"]["image"].startswith("pactfoundation/pact-broker:")
    assert SERVICES["mailpit"]["image"].startswith("axllent/mailpit")
    assert set(SERVICE_NAMES) <= set(SERVICES)


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_each_service_runs_in_production_mode_on_its_own_schema_and_port(name: str) -> None:
    service = SERVICES[name]
    env = service["environment"]
    assert env["SOLO60_SERVICE"] == name
    assert env["SOLO60_ENV"] == "production"
    assert env["SERVICE_API_KEYS"].startswith("${SERVICE_API_KEYS")
    assert f"{name}:compose-{name}-key" in env["SERVICE_API_KEYS"]  # a key of its own, naming it
    assert env["SERVICE_API_KEY"] == f"${{{name.upper()}_SERVICE_API_KEY:-compose-{name}-key}}"
    assert "SOLO60_PROVIDER_STATES" not in env
    url = env[f"{name.upper()}_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://")
    assert "@postgres:5432/solo60" in url
    assert search_path_schema(url.replace("${POSTGRES_PASSWORD:-solo60}", "pw")) == name
    assert service["ports"] == [f"{DEFAULT_PORTS[name]}:8000"]
    assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
    for other in SERVICE_NAMES:
        assert env[f"{other.upper()}_SERVICE_URL"] == f"http://{other}:8000"


def test_the_services_image_is_built_from_the_repository_and_serves_the_service_named_in_the_environment() -> None:
    build = SERVICES["user"]["build"]
    dockerfile = ROOT / build["context"] / build["dockerfile"]
    text = dockerfile.read_text()
    assert "solo60.services.asgi:app_from_env" in text
    assert re.search(r"--port\", \"8000\"", text)
    assert "EXPOSE 8000" in text


@pytest.mark.parametrize("name", SERVICE_NAMES)
async def test_each_service_starts_with_the_environment_compose_gives_it(name: str, tmp_path, rabbit) -> None:
    """Production settings refuse to start without what they need: compose must give it all.

    Only the database is swapped for a SQLite file (no `postgres` host runs here), and the
    broker for the local RabbitMQ, on an exchange of the test's own.
    """
    from solo60.services import definition
    from solo60.services.kit.app import build_app
    from solo60.services.kit.settings import ServiceSettings

    env = {key: str(value) for key, value in SERVICES[name]["environment"].items()}
    env = {key: re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", value) for key, value in env.items()}
    env[f"{name.upper()}_DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert env["SOLO60_AMQP_URL"].endswith("@rabbitmq:5672/")
    env["SOLO60_AMQP_URL"], env["SOLO60_AMQP_EXCHANGE"] = rabbit.url, rabbit.exchange
    rabbit.queue("communication")  # deleted after the test
    app = build_app(definition(name), ServiceSettings.from_env(name, env))
    async with app.router.lifespan_context(app):
        assert app.state.settings.environment == "production"
        if name == "payment":
            assert type(app.state.runtime.gateway).__name__ == "StripeGateway"


def test_communication_sends_mail_to_the_mail_catcher() -> None:
    env = SERVICES["communication"]["environment"]
    assert (env["SMTP_HOST"], env["SMTP_PORT"]) == ("mailpit", "1025")
    assert "1025:1025" in SERVICES["mailpit"]["ports"]


def test_payment_charges_through_a_real_gateway_adapter_pointed_at_stripes_stand_in() -> None:
    """Production settings refuse the simulator: compose gives payment Stripe's adapter and stripe-mock."""
    env = SERVICES["payment"]["environment"]
    assert env["PAYMENT_GATEWAY"] == "stripe"
    assert env["STRIPE_API_KEY"].startswith("${STRIPE_API_KEY:-sk_test_")
    assert env["STRIPE_API_BASE"] == "${STRIPE_API_BASE:-http://stripe-mock:12111}"
    assert SERVICES["stripe-mock"]["image"].startswith("stripe/stripe-mock:")
    assert SERVICES["payment"]["depends_on"]["stripe-mock"]["condition"] == "service_started"


def test_the_broker_has_its_own_database_and_basic_auth() -> None:
    broker = SERVICES["pact-broker"]
    env = broker["environment"]
    assert env["PACT_BROKER_DATABASE_URL"].endswith("@postgres:5432/pact_broker")
    assert env["PACT_BROKER_BASIC_AUTH_USERNAME"]
    assert env["PACT_BROKER_BASIC_AUTH_READ_ONLY_USERNAME"]
    assert broker["ports"] == ["9292:9292"]
    assert broker["depends_on"]["postgres-init"]["condition"] == "service_completed_successfully"
    assert "CREATE DATABASE pact_broker" in " ".join(SERVICES["postgres-init"]["entrypoint"])


def test_variables_with_defaults_are_written_the_way_compose_expands_them() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    for expression in re.findall(r"\$\{[^}]*\}", text):
        assert re.fullmatch(r"\$\{[A-Z][A-Z0-9_]*(:-[^}]*)?\}", expression), expression


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_each_service_has_its_own_container_whose_workers_share_one_rate_limit(name: str) -> None:
    service = SERVICES[name]
    env = service["environment"]
    assert env["WEB_CONCURRENCY"] == "${SOLO60_WORKERS:-1}"  # uvicorn's worker count
    assert env["SOLO60_RATE_LIMIT_STORAGE"].endswith("redis://redis:6379/0}")
    assert service["depends_on"]["redis"]["condition"] == "service_healthy"
    assert SERVICES["redis"]["image"].startswith("redis:")


def test_the_event_producers_and_consumer_share_rabbitmq_and_wait_for_it() -> None:
    rabbitmq = SERVICES["rabbitmq"]
    assert rabbitmq["image"].startswith("rabbitmq:")
    assert "5672:5672" in rabbitmq["ports"]
    for name in SERVICE_NAMES:
        assert SERVICES[name]["environment"]["SOLO60_AMQP_URL"].endswith("@rabbitmq:5672/")
    for name in ("session", "subscription", "communication"):
        assert SERVICES[name]["depends_on"]["rabbitmq"] == {"condition": "service_healthy"}
