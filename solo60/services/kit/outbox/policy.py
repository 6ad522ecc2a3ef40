"""How patient a relay is: attempts, the backoff between them, how often it looks, from the environment."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from solo60.environment import ConfigurationError


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts and waits between them: base doubled per failed attempt, capped, with "equal jitter"."""

    max_attempts: int = 8
    base_seconds: float = 1.0
    max_seconds: float = 300.0

    def delay_after(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        """The wait after the `attempts`-th failed attempt: between half and all of base * 2^(attempts-1).

        The jitter spreads the retries of a burst (a target back after an outage) instead of
        sending them all at the same instant.
        """
        ceiling = min(self.max_seconds, self.base_seconds * 2 ** max(attempts - 1, 0))
        return timedelta(seconds=(rng or random).uniform(ceiling / 2, ceiling))


class RelaySettings(BaseModel):
    """How an outbox relay retries, from `<SERVICE>_OUTBOX_*` or the shared `OUTBOX_*` variables.

    | variable | default | meaning |
    | --- | --- | --- |
    | `OUTBOX_IDLE_SECONDS` | `1.0` | how often an idle relay looks for due messages (unless woken) |
    | `OUTBOX_MAX_ATTEMPTS` | `8` | attempts before a message is FAILED (its error kept) |
    | `OUTBOX_RETRY_BASE_SECONDS` | `1.0` | wait after the first failure; doubles per attempt, with jitter |
    | `OUTBOX_RETRY_MAX_SECONDS` | `300` | the longest wait between two attempts |
    """

    idle_seconds: float = Field(default=1.0, gt=0, le=3600)
    max_attempts: int = Field(default=8, ge=1, le=100)
    retry_base_seconds: float = Field(default=1.0, ge=0, le=86_400)
    retry_max_seconds: float = Field(default=300.0, ge=0, le=7 * 86_400)

    @classmethod
    def from_settings(cls, settings: Any) -> RelaySettings:
        """A bad value stops the start-up, naming the variable it came from."""
        values: dict[str, str] = {}
        used: dict[str, str] = {}
        for field_name in cls.model_fields:
            suffix = field_name.upper()
            for variable in (f"{settings.service.upper()}_OUTBOX_{suffix}", f"OUTBOX_{suffix}"):
                raw = (settings.setting(variable) or "").strip()
                if raw:
                    values[field_name], used[field_name] = raw, variable
                    break
        try:
            return cls.model_validate(values, strict=False)
        except ValidationError as error:
            problems = "; ".join(
                f"{used.get(str(item['loc'][0]), item['loc'][0])}: {item['msg']}" for item in error.errors()
            )
            raise ConfigurationError(f"outbox relay settings: {problems}") from None

    @property
    def policy(self) -> RetryPolicy:
        return RetryPolicy(self.max_attempts, self.retry_base_seconds, self.retry_max_seconds)
