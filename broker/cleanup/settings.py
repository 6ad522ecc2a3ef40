"""Clean options from the `PACT_BROKER_DATABASE_CLEAN_*` settings, with command-line overrides."""

from __future__ import annotations

from dataclasses import replace

from broker.cleanup.selectors import parse_keep_selectors
from broker.cleanup.service import CleanOptions
from broker.config import CleanSettings


def options_from(
    settings: CleanSettings,
    *,
    keep: str | None = None,
    dry_run: bool | None = None,
    batch_size: int | None = None,
    overwritten_data_max_age_days: float | None = None,
) -> CleanOptions:
    """Raises InvalidInputError when the keep selectors are not valid."""
    options = CleanOptions(
        keep=parse_keep_selectors(keep if keep is not None else settings.keep_version_selectors),
        batch_size=settings.deletion_limit,
        overwritten_data_max_age_days=settings.overwritten_data_max_age_days,
        dry_run=settings.dry_run,
    )
    overrides = {
        "dry_run": dry_run,
        "batch_size": batch_size,
        "overwritten_data_max_age_days": overwritten_data_max_age_days,
    }
    return replace(options, **{key: value for key, value in overrides.items() if value is not None})  # type: ignore[arg-type]
