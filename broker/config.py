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


class SettingsError(ValueError):
    """A `PACT_BROKER_*` variable has a value the broker cannot use; the message names it."""


def _number(env: Mapping[str, str], name: str, default: float, *, minimum: float = 0.001) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum:g}, got {raw!r}")
    return value


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
    # How long an instance owns an attempt it claimed; a survivor takes the attempt over after
    # this if the claimer died. Longer than the timeout, so a live claimer always finishes first.
    lease_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.lease_seconds <= self.timeout_seconds:
            raise SettingsError(
                f"PACT_BROKER_WEBHOOK_LEASE_SECONDS ({self.lease_seconds:g}) must be longer than "
                f"PACT_BROKER_WEBHOOK_TIMEOUT_SECONDS ({self.timeout_seconds:g}), or a slow webhook would run twice"
            )

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
class LoadLimits:
    """How much work the broker takes on at once before it asks clients to come back later.

    At most `max_concurrent_requests` requests hold a database connection at a time (below the
    pool's 20, leaving room for the webhook worker, the clean-up and /health); up to
    `max_queued_requests` more wait, each at most `queue_timeout_seconds`. Past the queue the
    answer is 429, after the wait 503, both with Retry-After: the official clients retry both."""

    max_concurrent_requests: int = 16
    max_queued_requests: int = 200
    queue_timeout_seconds: float = 10.0


@dataclass(frozen=True)
class CleanSettings:
    """The in-broker clean-up schedule, mirroring the official `PACT_BROKER_DATABASE_CLEAN_*`."""

    enabled: bool = False
    cron_schedule: str = "15 2 * * *"
    deletion_limit: int = 500
    overwritten_data_max_age_days: float = 7
    keep_version_selectors: str | None = None  # JSON; None keeps the official defaults
    dry_run: bool = False


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
    limits: LoadLimits = field(default_factory=LoadLimits)
    clean: CleanSettings = field(default_factory=CleanSettings)

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
                timeout_seconds=_number(env, "PACT_BROKER_WEBHOOK_TIMEOUT_SECONDS", WebhookPolicy.timeout_seconds),
                lease_seconds=_number(env, "PACT_BROKER_WEBHOOK_LEASE_SECONDS", WebhookPolicy.lease_seconds),
            ),
            limits=LoadLimits(
                max_concurrent_requests=int(
                    _number(env, "PACT_BROKER_MAX_CONCURRENT_REQUESTS", LoadLimits.max_concurrent_requests, minimum=1)
                ),
                max_queued_requests=int(
                    _number(env, "PACT_BROKER_MAX_QUEUED_REQUESTS", LoadLimits.max_queued_requests, minimum=0)
                ),
                queue_timeout_seconds=_number(
                    env, "PACT_BROKER_QUEUE_TIMEOUT_SECONDS", LoadLimits.queue_timeout_seconds, minimum=0
                ),
            ),
            clean=CleanSettings(
                enabled=_flag(env.get("PACT_BROKER_DATABASE_CLEAN_ENABLED")),
                cron_schedule=env.get("PACT_BROKER_DATABASE_CLEAN_CRON_SCHEDULE") or CleanSettings.cron_schedule,
                deletion_limit=int(
                    _number(env, "PACT_BROKER_DATABASE_CLEAN_DELETION_LIMIT", CleanSettings.deletion_limit, minimum=1)
                ),
                overwritten_data_max_age_days=_number(
                    env,
                    "PACT_BROKER_DATABASE_CLEAN_OVERWRITTEN_DATA_MAX_AGE",
                    CleanSettings.overwritten_data_max_age_days,
                    minimum=0,
                ),
                keep_version_selectors=env.get("PACT_BROKER_DATABASE_CLEAN_KEEP_VERSION_SELECTORS") or None,
                dry_run=_flag(env.get("PACT_BROKER_DATABASE_CLEAN_DRY_RUN")),
            ),
            max_body_bytes=int(_number(env, "PACT_BROKER_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, minimum=1)),
            allow_dangerous_contract_modification=_flag(env.get("PACT_BROKER_ALLOW_DANGEROUS_CONTRACT_MODIFICATION")),
        )
