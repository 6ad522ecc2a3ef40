"""The communication service's own settings: the mail server, the retry policy, the dispatcher.

| variable | meaning (default) |
| --- | --- |
| `SMTP_HOST`, `SMTP_PORT` | the mail server (none: a local sink outside production; port 25) |
| `SMTP_USERNAME`, `SMTP_PASSWORD` | login, when the server wants one |
| `SMTP_TLS` | `1` for implicit TLS (port 465); otherwise STARTTLS is used when offered |
| `SMTP_STARTTLS` | `1` to require STARTTLS, `0` to never use it |
| `SMTP_TIMEOUT_SECONDS` | per SMTP command (10) |
| `MAIL_FROM` | the From header (`Solo60 <no-reply@solo60.local>`); its domain names the Message-IDs |
| `MAIL_MAX_ATTEMPTS` | attempts before a queued message is FAILED (8) |
| `MAIL_RETRY_BASE_SECONDS`, `MAIL_RETRY_MAX_SECONDS` | backoff: base doubled per attempt, capped (30, 3600) |
| `MAIL_DISPATCHER` | `0` when dispatchers run as their own processes (`python -m ...dispatcher --loop`) |
| `MAIL_DISPATCH_INTERVAL_SECONDS` | how often an idle dispatcher looks for due messages (1) |
| `MAIL_DISPATCH_BATCH` | messages looked at per pass (50) |
| `MAIL_LEASE_SECONDS` | how long a claimed message is left to its dispatcher before another may take it (120) |
| `RECIPIENT_CACHE_SECONDS` | how long a userId's address is trusted (3600) |
| `UNKNOWN_RECIPIENT_CACHE_SECONDS` | how long "no such user" is trusted (300) |
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field, ValidationError, model_validator

from solo60.services.communication.letters import sender_domain
from solo60.services.communication.mail_transport import SmtpServer
from solo60.services.kit.settings import ConfigurationError, ServiceSettings

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class MailConfig(BaseModel):
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_tls: bool = False
    smtp_starttls: bool | None = None
    smtp_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    mail_from: str = "Solo60 <no-reply@solo60.local>"
    max_attempts: int = Field(default=8, ge=1, le=100)
    retry_base_seconds: float = Field(default=30.0, ge=0, le=86_400)
    retry_max_seconds: float = Field(default=3600.0, ge=0, le=7 * 86_400)
    run_dispatcher: bool = True
    dispatch_interval_seconds: float = Field(default=1.0, gt=0, le=3600)
    dispatch_batch: int = Field(default=50, ge=1, le=10_000)
    lease_seconds: float = Field(default=120.0, gt=0, le=86_400)
    recipient_cache_seconds: float = Field(default=3600.0, ge=0)
    unknown_recipient_cache_seconds: float = Field(default=300.0, ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> MailConfig:
        sender_domain(self.mail_from)
        if self.lease_seconds < 2 * self.smtp_timeout_seconds:
            raise ValueError(
                "MAIL_LEASE_SECONDS must be at least twice SMTP_TIMEOUT_SECONDS, or a slow delivery could be "
                "taken over (and sent again) by another dispatcher"
            )
        return self

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> MailConfig:
        """Read the variables above from the service's environment; a bad value stops the start-up."""
        names = {
            "smtp_host": "SMTP_HOST",
            "smtp_port": "SMTP_PORT",
            "smtp_username": "SMTP_USERNAME",
            "smtp_password": "SMTP_PASSWORD",
            "smtp_tls": "SMTP_TLS",
            "smtp_starttls": "SMTP_STARTTLS",
            "smtp_timeout_seconds": "SMTP_TIMEOUT_SECONDS",
            "mail_from": "MAIL_FROM",
            "max_attempts": "MAIL_MAX_ATTEMPTS",
            "retry_base_seconds": "MAIL_RETRY_BASE_SECONDS",
            "retry_max_seconds": "MAIL_RETRY_MAX_SECONDS",
            "run_dispatcher": "MAIL_DISPATCHER",
            "dispatch_interval_seconds": "MAIL_DISPATCH_INTERVAL_SECONDS",
            "dispatch_batch": "MAIL_DISPATCH_BATCH",
            "lease_seconds": "MAIL_LEASE_SECONDS",
            "recipient_cache_seconds": "RECIPIENT_CACHE_SECONDS",
            "unknown_recipient_cache_seconds": "UNKNOWN_RECIPIENT_CACHE_SECONDS",
        }
        values: dict[str, object] = {}
        for field, variable in names.items():
            raw = settings.setting(variable)
            if raw is None or raw.strip() == "":
                continue
            values[field] = _flag(variable, raw) if field in {"smtp_tls", "smtp_starttls", "run_dispatcher"} else raw
        try:
            config = cls.model_validate(values)
        except ValidationError as error:
            problems = "; ".join(
                f"{names.get(str(item['loc'][0]), item['loc'][0]) if item['loc'] else 'settings'}: {item['msg']}"
                for item in error.errors(include_url=False)
            )
            raise ConfigurationError(f"the communication service's mail settings are invalid: {problems}") from None
        if config.smtp_host is None and settings.environment == "production":
            raise ConfigurationError(
                "SMTP_HOST is not set: in production the communication service needs a real mail server"
            )
        return config

    def smtp_server(self, *, host: str | None = None, port: int | None = None) -> SmtpServer:
        """The configured server, or the given one (the local sink)."""
        return SmtpServer(
            host=host or self.smtp_host or "127.0.0.1",
            port=port or self.smtp_port,
            username=self.smtp_username,
            password=self.smtp_password,
            use_tls=self.smtp_tls,
            start_tls=self.smtp_starttls,
            timeout=self.smtp_timeout_seconds,
        )

    @property
    def delivery_deadline(self) -> timedelta:
        """The longest one delivery may take, kept well inside the lease so no one else takes it over."""
        return timedelta(seconds=self.lease_seconds / 2)

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)


def _flag(variable: str, raw: str) -> bool:
    text = raw.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigurationError(f"{variable} must be 1 or 0 (or true/false), not {raw!r}")
