"""The one-service ASGI entry point: what its start-up made is kept out of the collector's way."""

from __future__ import annotations

import gc

import httpx

from solo60.services.asgi import app_from_env
from solo60.services.kit.settings import DEVELOPMENT_API_KEY


async def test_objects_made_while_the_service_starts_are_frozen_and_it_still_serves(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SOLO60_SERVICE", "user")
    monkeypatch.setenv("SOLO60_DATA_DIR", str(tmp_path))
    # Not the process-wide JSON log writer: it would outlive pytest's captured stderr.
    monkeypatch.setattr("solo60.services.asgi.configure_logging", lambda: None)
    try:
        app = app_from_env()
        frozen_with_the_app = gc.get_freeze_count()
        async with app.router.lifespan_context(app):
            # Migrations, the pool, the dialect: long-lived, and no longer walked by each full collection.
            assert gc.get_freeze_count() > frozen_with_the_app
            transport = httpx.ASGITransport(app=app)
            headers = {"x-api-key": DEVELOPMENT_API_KEY, "x-service-name": "tests"}
            async with httpx.AsyncClient(transport=transport, base_url="http://user", headers=headers) as client:
                made = await client.post("/internal/users", json={"email": "frozen@example.com", "name": "F"})
                assert made.status_code == 201, made.text
                found = await client.get(f"/internal/users/{made.json()['id']}")
                assert found.json()["email"] == "frozen@example.com"
    finally:
        gc.unfreeze()  # this test process is not a server: let the collector see everything again
