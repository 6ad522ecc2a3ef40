"""Brokers the harness tests run against: ours with basic auth on, and one that only fails.

The authenticated broker has a read-write user (what CI publishes with), a read-only user
(what a dashboard or a provider that only reads would use) and rejects everything else.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WRITER = ("ci", "ci-secret")
READER = ("dashboard", "dashboard-secret")
WRONG = ("ci", "not-the-password")


@contextmanager
def authenticated_broker() -> Iterator[str]:
    """Our broker on a free port with basic auth: `WRITER` may write, `READER` may only read."""
    from broker.config import AuthSettings, BrokerSettings
    from broker.testing import running_broker

    auth = AuthSettings(
        username=WRITER[0], password=WRITER[1], read_only_username=READER[0], read_only_password=READER[1]
    )
    with running_broker(settings=BrokerSettings(auth=auth)) as url:
        yield url


def credentials_environment(url: str, user: tuple[str, str] | None) -> dict[str, str]:
    """The variables the official clients (and ours) read for this broker and user."""
    variables = {"PACT_BROKER_BASE_URL": url}
    if user is not None:
        variables.update(PACT_BROKER_USERNAME=user[0], PACT_BROKER_PASSWORD=user[1])
    return variables


class _Failing(BaseHTTPRequestHandler):
    def _fail(self) -> None:
        body = b'{"error": "database unavailable"}'
        self.send_response(503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _fail

    def log_message(self, *_: object) -> None:
        return


@contextmanager
def failing_broker() -> Iterator[str]:
    """A server on a free loopback port that answers every request 503, as a broker whose database is down."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
