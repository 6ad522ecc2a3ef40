"""`x-api-key` service auth on every `/internal/*` route, compared in constant time.

Providers accept any key in `SERVICE_API_KEYS`, so keys rotate without downtime: add the new
key to providers, move callers over one by one, then drop the old key. With
`SERVICE_API_KEYS_FILE` the accepted keys are re-read when the file changes, so even the
providers need no restart.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from solo60.environment import DEVELOPMENT_API_KEY
from solo60.services.kit.errors import Unauthorized
from solo60.services.kit.settings import ServiceSettings

OPEN_PATHS = ("/internal/docs", "/internal/openapi.json")


class ServiceKeys:
    """The accepted keys: from settings, plus a file re-read when it changes."""

    def __init__(self, keys: tuple[str, ...], keys_file: Path | None = None) -> None:
        self._static = tuple(key.encode() for key in keys)
        self._file = keys_file
        self._file_mtime: float | None = None
        self._from_file: tuple[bytes, ...] = ()

    def accepts(self, presented: bytes | None) -> bool:
        if not presented:
            return False
        accepted = False
        for key in self._static + self._file_keys():
            accepted |= hmac.compare_digest(key, presented)  # no early exit: time does not tell which
        return accepted

    def _file_keys(self) -> tuple[bytes, ...]:
        if self._file is None:
            return ()
        try:
            mtime = self._file.stat().st_mtime
        except OSError:
            return ()
        if mtime != self._file_mtime:
            text = self._file.read_text()
            self._from_file = tuple(key.strip().encode() for key in text.replace(",", "\n").splitlines() if key.strip())
            self._file_mtime = mtime
        return self._from_file


def calling_key_refused(environ: Mapping[str, str]) -> str | None:
    """Why the services of one environment would refuse each other's calls, or None when they accept them.

    Each service calls the others with `SERVICE_API_KEY` and accepts `SERVICE_API_KEYS` (and the
    keys file): a key outside those means every call between them answers 401, and every route
    that calls another service 503. Said at start, it is a configuration slip rather than an outage.
    """
    calling = environ.get("SERVICE_API_KEY", "").strip() or DEVELOPMENT_API_KEY
    settings = ServiceSettings.from_env("services", environ)
    if ServiceKeys(settings.api_keys, settings.api_keys_file).accepts(calling.encode()):
        return None
    source = (
        "SERVICE_API_KEY"
        if environ.get("SERVICE_API_KEY", "").strip()
        else "the development key (SERVICE_API_KEY unset)"
    )
    accepted = "SERVICE_API_KEYS" + (" and SERVICE_API_KEYS_FILE" if settings.api_keys_file else "")
    return (
        f"{source}, the key the services call each other with, is not among the keys they accept ({accepted}): "
        "their calls to each other will be refused (401) and the routes that call another service answer 503. "
        "Add that key to SERVICE_API_KEYS, or set SERVICE_API_KEY to an accepted key."
    )


class ServiceAuthMiddleware:
    def __init__(self, app: ASGIApp, *, keys: ServiceKeys) -> None:
        self.app = app
        self.keys = keys

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/internal") or path.startswith(OPEN_PATHS):
            await self.app(scope, receive, send)
            return
        presented = next((value for key, value in scope["headers"] if key == b"x-api-key"), None)
        if not self.keys.accepts(presented):
            reason = "missing x-api-key header" if presented is None else "x-api-key is not an accepted service key"
            response = Unauthorized(f"Unauthorized: {reason}.").to_response()
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
