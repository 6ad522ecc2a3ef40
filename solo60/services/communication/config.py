"""The communication service's own settings: the mail server, the retry policy, the dispatcher.

A dispatcher's lease on a message is not a setting: it is derived from the SMTP timeouts, so
it always outlives the longest send they allow and no other dispatcher takes a message over
(and sends it again) while a slow server is still answering (`MailConfig.send_budget`).

| variable | meaning (default) |
| --- | --- |
| `SMTP_HOST`, `SMTP_PORT` | the mail server (none: a local sink outside production; port 25) |
| `SMTP_USERNAME`, `SMTP_PASSWORD` | login, when the server wants one |
| `SMTP_TLS` | `1` for implicit TLS (port 465); otherwise STARTTLS is used when offered |
| `SMTP_STARTTLS` | `1` to require STARTTLS, `0` to never use it |
| `SMTP_TIMEOUT_SECONDS` | connecting, the greeting, each command but DATA (300; RFC 5321 4.5.3.2: 5 min) |
| `SMTP_DATA_TIMEOUT_SECONDS` | each reply to DATA, above all the final one (600; the RFC's 10 minutes) |
| `MAIL_FROM` | the From header (`Solo60 <no-reply@solo60.local>`); its domain names the Message-IDs |
| `MAIL_MAX_ATTEMPTS` | attempts before a queued message is FAILED (8) |
| `MAIL_RETRY_BASE_SECONDS`, `MAIL_RETRY_MAX_SECONDS` | backoff: base doubled per attempt, capped (30, 3600) |
| `MAIL_DISPATCHER` | `0` when dispatchers run as their own processes (`python -m ...dispatcher --loop`) |
| `MAIL_DISPATCH_INTERVAL_SECONDS` | how often an idle dispatcher looks for due messages (1) |
| `MAIL_DISPATCH_BATCH` | messages looked at per pass (50) |
| `RECIPIENT_CACHE_SECONDS` | how long a userId's address is trusted (3600) |
| `UNKNOWN_RECIPIENT_CACHE_SECONDS` | how long "no such user" is trusted (300) |
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field, ValidationError, model_validator

from solo60.services.communication.letters import sender_domain
from solo60.services.communication.mail_transport import SmtpServer
from solo60.services.kit.settings import ConfigurationError, ServiceSettings

RECIPIENT_LOOKUP_STEPS = 1
MESSAGE_STEPS = 3

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class MailConfig(BaseModel):
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_tls: bool = False
    smtp_starttls: bool | None = None
    smtp_timeout_seconds: float = Field(default=300.0, gt=0, le=3600)
    smtp_data_timeout_seconds: float = Field(default=600.0, gt=0, le=3600)
    mail_from: str = "Solo60 <no-reply@solo60.local>"
    max_attempts: int = Field(default=8, ge=1, le=100)
    retry_base_seconds: float = Field(default=30.0, ge=0, le=86_400)
    retry_max_seconds: float = Field(default=3600.0, ge=0, le=7 * 86_400)
    run_dispatcher: bool = True
    dispatch_interval_seconds: float = Field(default=1.0, gt=0, le=3600)
    dispatch_batch: int = Field(default=50, ge=1, le=10_000)
    recipient_cache_seconds: float = Field(default=3600.0, ge=0)
    unknown_recipient_cache_seconds: float = Field(default=300.0, ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> MailConfig:
        sender_domain(self.mail_from)
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
            "smtp_data_timeout_seconds": "SMTP_DATA_TIMEOUT_SECONDS",
            "mail_from": "MAIL_FROM",
            "max_attempts": "MAIL_MAX_ATTEMPTS",
            "retry_base_seconds": "MAIL_RETRY_BASE_SECONDS",
            "retry_max_seconds": "MAIL_RETRY_MAX_SECONDS",
            "run_dispatcher": "MAIL_DISPATCHER",
            "dispatch_interval_seconds": "MAIL_DISPATCH_INTERVAL_SECONDS",
            "dispatch_batch": "MAIL_DISPATCH_BATCH",
            "recipient_cache_seconds": "RECIPIENT_CACHE_SECONDS",
            "unknown_recipient_cache_seconds": "UNKNOWN_RECIPIENT_CACHE_SECONDS",
        }
        if (settings.setting("MAIL_LEASE_SECONDS") or "").strip():
            raise ConfigurationError(
                "MAIL_LEASE_SECONDS is no longer read: a dispatcher's lease is derived from SMTP_TIMEOUT_SECONDS "
                "and SMTP_DATA_TIMEOUT_SECONDS so that it outlives any send; unset it"
            )
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
            data_timeout=self.smtp_data_timeout_seconds,
        )

    @property
    def send_budget(self) -> timedelta:
        """The longest one delivery can take with these timeouts, every wait running out in turn.

        The recipient's lookup (given one command's time); at worst a new connection
        (`connection_steps`); the message's commands (EHLO when needed, MAIL, RCPT for its one
        recipient); and DATA's two replies (the 354, and the final one).
        """
        steps = RECIPIENT_LOOKUP_STEPS + self.connection_steps + MESSAGE_STEPS
        return timedelta(seconds=steps * self.smtp_timeout_seconds + 2 * self.smtp_data_timeout_seconds)

    @property
    def connection_steps(self) -> int:
        """Waits of `SMTP_TIMEOUT_SECONDS` in opening a connection: connecting and the greeting; the
        TLS handshake (implicit TLS), or EHLO, STARTTLS, its handshake and EHLO again (unless
        STARTTLS is off); and with a login, EHLO and AUTH in up to three exchanges."""
        steps = 2
        if self.smtp_tls:
            steps += 1
        elif self.smtp_starttls is not False:
            steps += 4
        if self.smtp_username:
            steps += 4
        return steps

    @property
    def delivery_deadline(self) -> timedelta:
        """The relay's own limit on one delivery: the send budget, so the SMTP timeouts always fire first."""
        return self.send_budget

    @property
    def lease(self) -> timedelta:
        """How long a claimed message is its dispatcher's: the send budget and one command's time more
        (to record the outcome), so a send still under way is never taken over and sent twice."""
        return self.send_budget + timedelta(seconds=self.smtp_timeout_seconds)


def _flag(variable: str, raw: str) -> bool:
    text = raw.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigurationError(f"{variable} must be 1 or 0 (or true/false), not {raw!r}")
