"""The deployment suites use the local RabbitMQ where compose names its own (`rabbit`: an exchange per test)."""

from tests.services.rabbit import rabbit  # noqa: F401  (the fixture)
