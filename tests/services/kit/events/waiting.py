"""Waiting on a broker's state, which has no event to await: bounded polling."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

WAIT_SECONDS = 20.0
POLL_SECONDS = 0.05


async def until(condition: Callable[[], Awaitable[bool]], seconds: float = WAIT_SECONDS) -> None:
    """Poll `condition` for at most `seconds`; fail naming it when it never holds."""
    for _ in range(int(seconds / POLL_SECONDS)):
        if await condition():
            return
        await asyncio.sleep(POLL_SECONDS)
    raise AssertionError(f"not within {seconds} s: {getattr(condition, '__name__', condition)}")
