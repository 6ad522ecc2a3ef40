"""Which bus a service gets: RabbitMQ when `SOLO60_AMQP_URL` is set, else the in-process bus
(development and tests only: production refuses to start without a broker)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from solo60.environment import ConfigurationError
from solo60.services.kit.events.bus import AMQP_URL_SETTING, DEFAULT_EXCHANGE, EXCHANGE_SETTING, EventBus
from solo60.services.kit.events.memory import InProcessBus
from solo60.services.kit.events.rabbitmq import RabbitBus


def bus_from_settings(settings: Any) -> EventBus:
    """RabbitMQ at `SOLO60_AMQP_URL` (exchange `SOLO60_AMQP_EXCHANGE`), else this process's in-process bus."""
    url = (settings.setting(AMQP_URL_SETTING) or "").strip()
    exchange = (settings.setting(EXCHANGE_SETTING) or "").strip() or DEFAULT_EXCHANGE
    if not url:
        if getattr(settings, "environment", None) == "production":
            raise ConfigurationError(
                f"{AMQP_URL_SETTING} is not set: in production the services run apart, and the in-process bus "
                "would keep their events from each other; set it, e.g. amqp://user:password@rabbitmq:5672/"
            )
        return InProcessBus(exchange)
    if urlsplit(url).scheme not in {"amqp", "amqps"}:
        raise ConfigurationError(f"{AMQP_URL_SETTING}: expected amqp://user:password@host:5672/vhost, not {url!r}")
    return RabbitBus(url, exchange=exchange)
