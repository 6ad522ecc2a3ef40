"""The access log as a running service writes it: one JSON line per request on stderr, every field."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    import httpx
    from solo60.services import definition
    from solo60.services.kit.access_log import configure_logging
    from solo60.services.kit.app import build_app
    from solo60.services.kit.settings import ServiceSettings

    async def main():
        configure_logging()
        settings = ServiceSettings.from_env("user", {}, data_dir=sys.argv[1], environment="test")
        app = build_app(definition("user"), settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://user") as client:
                for number in range(20):
                    await client.get(
                        f"/internal/users/u{number}",
                        headers={"x-api-key": "solo60-dev-key", "x-service-name": "session",
                                 "x-correlation-id": f"trace-{number}"},
                    )

    asyncio.run(main())
    """
)


def test_every_request_reaches_stderr_with_every_field_before_the_process_exits(tmp_path) -> None:
    finished = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True, timeout=120, check=True
    )
    lines = [json.loads(line) for line in finished.stderr.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "solo60.access"]
    assert [line["correlationId"] for line in access] == [f"trace-{number}" for number in range(20)]
    for number, line in enumerate(access):
        assert line["service"] == "user"
        assert line["caller"] == "session"
        assert line["method"] == "GET"
        assert line["route"] == "/internal/users/{userId}"
        assert line["path"] == f"/internal/users/u{number}"
        assert line["status"] == 404
        assert line["latencyMs"] >= 0
        assert line["level"] == "info"
        assert line["message"] == "request"
        assert line["time"]
