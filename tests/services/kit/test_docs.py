"""`/internal/docs` renders the service's operations in a real browser with no internet."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from solo60.services.kit.server import running_services

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def render(url: str, profile: Path) -> str:
    """The DOM after scripts ran, with every host but 127.0.0.1 unresolvable (no CDN can answer)."""
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--virtual-time-budget=15000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (Debian package chromium; .ci/run installs it)")
def test_the_docs_page_renders_every_operation_offline(tmp_path: Path) -> None:
    with running_services(["user"], environ={"SOLO60_DATA_DIR": str(tmp_path)}) as services:
        url = services["user"].docs_url
        page = httpx.get(url)
        dom = render(url, tmp_path / "profile")

    assert "default-src 'self'" in page.headers["content-security-policy"]
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', page.text)
    assert external == [], f"the docs page loads {external} from outside the service"
    for operation in ("get_user", "get_user_by_email", "check_role", "create_user", "update_user"):
        assert operation in dom, f"{operation} is not rendered"
    assert "/internal/users/{userId}" in dom
    assert "Get a user by id" in dom
    assert "ServiceApiKey" in dom or "Authorize" in dom
