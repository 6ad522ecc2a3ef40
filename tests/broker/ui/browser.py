"""Headless Chromium driven through chromedriver (Debian's `chromium` and `chromium-driver`),
with the project's flags, a fresh profile, every host but 127.0.0.1 unresolvable, and the
network recorded through the DevTools performance log."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--window-size=1400,1000",
)


@dataclass(frozen=True)
class Exchange:
    url: str
    status: int | None


@contextmanager
def chromium(profile: Path, headers: dict[str, str] | None = None) -> Iterator[Any]:
    """A Selenium driver; `headers` are sent with every request (e.g. Authorization)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or ""
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER or ""))
    driver.set_page_load_timeout(30)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        if headers:
            driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": headers})
        yield driver
    finally:
        driver.quit()


def network(driver: Any) -> list[Exchange]:
    """Every request the page made since the last call, with its response status (if any)."""
    sent: dict[str, str] = {}
    statuses: dict[str, int] = {}
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.requestWillBeSent":
            sent[params["requestId"]] = params["request"]["url"]
        elif message["method"] == "Network.responseReceived":
            statuses[params["requestId"]] = params["response"]["status"]
    return [Exchange(url, statuses.get(request_id)) for request_id, url in sent.items()]


UNLABELLED_FIELDS = """
return [...document.querySelectorAll('input, select, textarea')]
  .filter(e => e.type !== 'hidden' && e.type !== 'submit' && e.type !== 'button')
  .filter(e => !(e.id && document.querySelector(`label[for="${e.id}"]`)) && !e.closest('label')
               && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
  .map(e => e.outerHTML);
"""

STATUS_BY_COLOUR_ALONE = """
const wordless = e => !/[A-Za-z]/.test(e.textContent);
const statuses = [...document.querySelectorAll('.status')].filter(wordless).map(e => e.outerHTML);
const rows = [...document.querySelectorAll('tr[class*="row-"]')]
  .filter(r => !r.querySelector('.status') || [...r.querySelectorAll('.status')].every(wordless))
  .map(r => r.outerHTML.slice(0, 200));
const edges = [...document.querySelectorAll('svg .edge')]
  .filter(e => e.closest('ul.legend') === null)
  .filter(e => !e.querySelector('title') || !/[A-Za-z]/.test(e.querySelector('title').textContent))
  .map(e => e.outerHTML.slice(0, 200));
const legend = [...document.querySelectorAll('ul.legend li')].filter(wordless).map(e => e.outerHTML);
return statuses.concat(rows, edges, legend);
"""
