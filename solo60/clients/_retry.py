"""When a failed attempt is worth another, and how long to wait first (tenacity does the looping).

Only retry-safe routes (idempotent methods, or calls carrying an `Idempotency-Key`) are retried,
and only after failures that another attempt may cure: no connection, a dropped connection, a
timed-out attempt, 502/503/504 and 429. The wait doubles from `backoff` with random jitter, or
is the provider's `Retry-After` when it gives one; a wait that would end past the call's
deadline is not started, so the caller gets the real failure rather than a late timeout.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from tenacity import RetryCallState, retry_if_exception, stop_after_attempt, stop_before_delay
from tenacity.wait import wait_base, wait_exponential_jitter

from solo60.clients._config import RetryPolicy
from solo60.clients._exceptions import (
    ConnectFailed,
    ConnectionLost,
    DeadlineExceeded,
    ServiceUnavailable,
    TimedOut,
    UpstreamError,
)

logger = logging.getLogger("solo60.clients")

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})


def is_retryable(error: BaseException) -> bool:
    """Whether another attempt of a retry-safe call may succeed where this one failed."""
    if isinstance(error, DeadlineExceeded):
        return False
    if isinstance(error, ConnectFailed | ConnectionLost | TimedOut | ServiceUnavailable):
        return True
    return isinstance(error, UpstreamError) and error.status in RETRYABLE_STATUSES


def retry_after_seconds(header: str | None) -> float | None:
    """`Retry-After` as seconds to wait: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not header:
        return None
    header = header.strip()
    if header.isascii() and header.isdigit():
        return float(header)
    try:
        moment = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


class wait_retry_after_or_backoff(wait_base):  # noqa: N801 - named like tenacity's own waits
    """The provider's `Retry-After` when the failure carries one, else exponential backoff with jitter."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.backoff = wait_exponential_jitter(multiplier=policy.backoff, max=policy.max_backoff, jitter=policy.jitter)

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        retry_after = getattr(outcome.exception(), "retry_after", None) if outcome is not None else None
        if retry_after is not None:
            return float(retry_after)
        return self.backoff(retry_state)


def _log_retry(retry_state: RetryCallState) -> None:
    if not logger.isEnabledFor(logging.INFO):
        return
    outcome = retry_state.outcome
    logger.info(
        "retrying after %s in %.3f s (attempt %d)",
        outcome.exception() if outcome is not None else "a failure",
        retry_state.upcoming_sleep,
        retry_state.attempt_number + 1,
    )


def retry_options(policy: RetryPolicy, *, deadline: float) -> dict[str, Any]:
    """The arguments of `AsyncRetrying` for a policy; build a fresh `AsyncRetrying` per call from them,
    because tenacity keeps the state of a call on the object."""
    return {
        "stop": stop_after_attempt(policy.attempts) | stop_before_delay(deadline),
        "wait": wait_retry_after_or_backoff(policy),
        "retry": retry_if_exception(is_retryable),
        "before_sleep": _log_retry,
        "reraise": True,
    }
