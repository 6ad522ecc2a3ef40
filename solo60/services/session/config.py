"""How long an unpaid booking holds its slot.

| variable | default | meaning |
| --- | --- | --- |
| `SESSION_BOOKING_HOLD_SECONDS` | `300` | how long a booking whose debit had no clear answer holds its slot |

A held booking may be finished by a retry with the same Idempotency-Key; after the hold, the
slot is released and anything debited is given back. The outbox relay's own settings
(`SESSION_OUTBOX_*`, falling back to `OUTBOX_*`) are read by the kit's `RelaySettings`.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field, ValidationError

from solo60.services.kit import ServiceSettings
from solo60.services.kit.settings import ConfigurationError

_VARIABLES = {"booking_hold_seconds": ("SESSION_BOOKING_HOLD_SECONDS",)}


class FlowConfig(BaseModel):
    booking_hold_seconds: float = Field(default=300.0, ge=1, le=86_400)

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> FlowConfig:
        """The variables above from the service's environment; a bad value stops the start-up, naming it."""
        values: dict[str, str] = {}
        used: dict[str, str] = {}
        for name, variables in _VARIABLES.items():
            for variable in variables:
                raw = (settings.setting(variable) or "").strip()
                if raw:
                    values[name], used[name] = raw, variable
                    break
        try:
            return cls.model_validate(values, strict=False)
        except ValidationError as error:
            problems = "; ".join(
                f"{used.get(str(item['loc'][0]), item['loc'][0])}: {item['msg']}" for item in error.errors()
            )
            raise ConfigurationError(f"session flow settings: {problems}") from None

    @property
    def booking_hold(self) -> timedelta:
        return timedelta(seconds=self.booking_hold_seconds)
