"""`x-api-key` service auth on every `/internal/*` route, compared in constant time.

Providers accept any key in `SERVICE_API_KEYS`, so keys rotate without downtime: add the new
key to providers, move callers over one by one, then drop the old key. With
`SERVICE_API_KEYS_FILE` the accepted keys are re-read when the file changes, so even the
providers need no restart.
"""

from __future__ import annotations

import hmac
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from solo60.services.kit.errors import Unauthorized

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
