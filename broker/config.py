"""Broker settings: one object built from the command line or `PACT_BROKER_*` variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024


def _split(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(item.strip() for item in value.replace(" ", ",").split(",") if item.strip())


def _flag(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class WebhookPolicy:
    """What webhooks may call. Private, loopback and link-local addresses need the allow-list."""

    allowed_schemes: tuple[str, ...] = ("https", "http")
    allowed_methods: tuple[str, ...] = ("POST",)
    host_allow_list: tuple[str, ...] = ()
    retry_schedule: tuple[float, ...] = (10, 60, 120, 300, 600, 1200)
    timeout_seconds: float = 10.0

    @property
    def shows_responses(self) -> bool:
        """Response bodies are only logged when the operator has named trusted hosts."""
        return bool(self.host_allow_list)


@dataclass(frozen=True)
class AuthSettings:
    """None configured means open access, as a local broker should be."""

    username: str | None = None
    password: str | None = None
    read_only_username: str | None = None
    read_only_password: str | None = None
    tokens: tuple[str, ...] = ()
    read_only_tokens: tuple[str, ...] = ()
    allow_public_read: bool = False
    public_badges: bool = False
    """Badges answer without credentials (the official `enable_public_badge_access`); off by default."""

    @property
    def enabled(self) -> bool:
        return bool(self.username or self.read_only_username or self.tokens or self.read_only_tokens)


@dataclass(frozen=True)
class BrokerSettings:
    database_url: str | None = None
    base_url: str | None = None
    auth: AuthSettings = field(default_factory=AuthSettings)
    webhooks: WebhookPolicy = field(default_factory=WebhookPolicy)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    allow_dangerous_contract_modification: bool = False
    run_webhook_worker: bool = True
    access_log: bool = True

    def with_overrides(self, **changes: object) -> BrokerSettings:
        return replace(self, **{key: value for key, value in changes.items() if value is not None})  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> BrokerSettings:
        env = os.environ if environ is None else environ
        schedule = tuple(float(item) for item in _split(env.get("PACT_BROKER_WEBHOOK_RETRY_SCHEDULE")))
        return cls(
            database_url=env.get("PACT_BROKER_DATABASE_URL") or None,
            base_url=(env.get("PACT_BROKER_BASE_URL") or env.get("PACT_BROKER_PUBLIC_BASE_URL") or None),
            auth=AuthSettings(
                username=env.get("PACT_BROKER_BASIC_AUTH_USERNAME") or None,
                password=env.get("PACT_BROKER_BASIC_AUTH_PASSWORD") or None,
                read_only_username=env.get("PACT_BROKER_BASIC_AUTH_READ_ONLY_USERNAME") or None,
                read_only_password=env.get("PACT_BROKER_BASIC_AUTH_READ_ONLY_PASSWORD") or None,
                tokens=_split(env.get("PACT_BROKER_TOKENS")),
                read_only_tokens=_split(env.get("PACT_BROKER_READ_ONLY_TOKENS")),
                allow_public_read=_flag(env.get("PACT_BROKER_ALLOW_PUBLIC_READ")),
                public_badges=_flag(env.get("PACT_BROKER_ENABLE_PUBLIC_BADGE_ACCESS")),
            ),
            webhooks=WebhookPolicy(
                allowed_schemes=_split(env.get("PACT_BROKER_WEBHOOK_SCHEME_ALLOW_LIST")) or ("https", "http"),
                allowed_methods=tuple(
                    method.upper() for method in _split(env.get("PACT_BROKER_WEBHOOK_HTTP_METHOD_ALLOW_LIST"))
                )
                or ("POST",),
                host_allow_list=_split(env.get("PACT_BROKER_WEBHOOK_HOST_ALLOW_LIST")),
                retry_schedule=schedule or WebhookPolicy.retry_schedule,
            ),
            max_body_bytes=int(env.get("PACT_BROKER_MAX_BODY_BYTES") or DEFAULT_MAX_BODY_BYTES),
            allow_dangerous_contract_modification=_flag(env.get("PACT_BROKER_ALLOW_DANGEROUS_CONTRACT_MODIFICATION")),
        )
