"""A service's configuration, read from the environment the way the seed deploys services."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from solo60.environment import DEVELOPMENT_API_KEY, ConfigurationError
from solo60.services.kit.service_keys import SETTLE_SECONDS, parse_entries, shared_key_refusal

__all__ = ["DEVELOPMENT_API_KEY", "ConfigurationError", "ServiceSettings"]

Environment = Literal["development", "test", "production"]


class ServiceSettings(BaseModel):
    service: str
    environment: Environment = "development"
    api_keys: tuple[str, ...] = (DEVELOPMENT_API_KEY,)
    """`caller:key` entries (bare keys are shared keys, refused in production)."""
    api_keys_file: Path | None = None
    api_keys_settle_seconds: float = Field(default=SETTLE_SECONDS, ge=0, le=3600)
    """How long the keys file must stay unchanged before a key removed from it stops working."""
    database_url: str | None = None
    database_pool_size: int | None = Field(default=None, ge=1, le=200)
    data_dir: Path = Path(".solo60/data")
    provider_states: bool = False
    rate_limit: str = "6000/minute"
    rate_limit_storage: str | None = None
    """A Redis URL (`redis://host:6379/0`) all workers and replicas count in; unset, each process counts alone."""
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    extra: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _safe_for_production(self) -> ServiceSettings:
        if self.environment != "production":
            return self
        if self.provider_states:
            raise ConfigurationError(
                "SOLO60_PROVIDER_STATES is on in production; provider states rewrite data and are for "
                "contract verification only. Unset it."
            )
        if not self.api_keys and self.api_keys_file is None:
            raise ConfigurationError(
                "SERVICE_API_KEYS or SERVICE_API_KEYS_FILE must name the production service keys, "
                "one caller:key entry per calling service."
            )
        refusal = shared_key_refusal(
            parse_entries(",".join(self.api_keys), source="SERVICE_API_KEYS"), "SERVICE_API_KEYS"
        )
        if refusal:
            raise ConfigurationError(refusal)
        return self

    @classmethod
    def from_env(cls, service: str, environ: Mapping[str, str] | None = None, **overrides: object) -> ServiceSettings:
        """Settings of `service` from environment variables, then explicit overrides."""
        env = os.environ if environ is None else environ
        prefix = service.upper()
        values: dict[str, object] = {"service": service, "extra": dict(env)}
        if "SOLO60_ENV" in env:
            values["environment"] = env["SOLO60_ENV"]
        keys = [key.strip() for key in env.get("SERVICE_API_KEYS", "").split(",") if key.strip()]
        if keys:
            values["api_keys"] = tuple(keys)
        elif env.get("SOLO60_ENV") == "production":
            values["api_keys"] = ()
        if env.get("SERVICE_API_KEYS_FILE"):
            values["api_keys_file"] = Path(env["SERVICE_API_KEYS_FILE"])
        if env.get("SERVICE_API_KEYS_SETTLE_SECONDS"):
            values["api_keys_settle_seconds"] = env["SERVICE_API_KEYS_SETTLE_SECONDS"]
        if env.get(f"{prefix}_DATABASE_URL"):
            values["database_url"] = env[f"{prefix}_DATABASE_URL"]
        if env.get("SOLO60_DB_POOL_SIZE"):
            values["database_pool_size"] = int(env["SOLO60_DB_POOL_SIZE"])
        if env.get("SOLO60_DATA_DIR"):
            values["data_dir"] = Path(env["SOLO60_DATA_DIR"])
        values["provider_states"] = env.get("SOLO60_PROVIDER_STATES", "").lower() in {
            "1",
            "true",
            "yes",
            "on",
        }
        if env.get("SOLO60_RATE_LIMIT"):
            values["rate_limit"] = env["SOLO60_RATE_LIMIT"]
        if env.get("SOLO60_RATE_LIMIT_STORAGE"):
            values["rate_limit_storage"] = env["SOLO60_RATE_LIMIT_STORAGE"]
        if env.get("SOLO60_MAX_BODY_BYTES"):
            values["max_body_bytes"] = int(env["SOLO60_MAX_BODY_BYTES"])
        values.update(overrides)
        return cls.model_validate(values)

    def resolved_database_url(self) -> str:
        """The configured URL, else this service's own SQLite file under the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / f'{self.service}.sqlite').resolve()}"

    def setting(self, name: str, default: str | None = None) -> str | None:
        """A service-specific variable such as `SMTP_HOST`, from the environment captured at start."""
        return self.extra.get(name, default)
