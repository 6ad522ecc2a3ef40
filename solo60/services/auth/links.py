"""The links mailed to members: pages of the Solo60 web app that carry a single-use token.

`SOLO60_APP_URL` is where the web app lives (default `http://localhost:3000`, for
development); the app posts the token from the link back through the API gateway.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from solo60.services.kit import ServiceSettings
from solo60.services.kit.settings import ConfigurationError

logger = logging.getLogger("solo60.services.auth")

APP_URL_SETTING = "SOLO60_APP_URL"
DEVELOPMENT_APP_URL = "http://localhost:3000"


@dataclass(frozen=True)
class Links:
    app_url: str

    def confirm_email(self, token: str) -> str:
        return self._page("confirm-email", token=token)

    def reset_password(self, token: str) -> str:
        return self._page("reset-password", token=token)

    def account(self) -> str:
        return self._page("account")

    def _page(self, page: str, **query: str) -> str:
        return f"{self.app_url}/{page}" + (f"?{urlencode(query)}" if query else "")


def links_from_settings(settings: ServiceSettings) -> Links:
    """The app's base URL; an unusable one stops the start-up, and production must name it."""
    raw = (settings.setting(APP_URL_SETTING) or "").strip()
    if not raw:
        if settings.environment == "production":
            raise ConfigurationError(f"{APP_URL_SETTING} must name the web app's URL: the mailed links point there")
        return Links(DEVELOPMENT_APP_URL)
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise ConfigurationError(f"{APP_URL_SETTING}={raw!r} must be an http(s) URL without query or fragment")
    return Links(raw.rstrip("/"))
