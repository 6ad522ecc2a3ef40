"""Where a user GET and POST spend their CPU: cProfile over N in-process requests.

The requests go through `httpx.ASGITransport` into the real app (every convention on, SQLite
or the given PostgreSQL), so no socket or uvicorn is measured: only the app's own work. Prints
µs per request for each route and the top functions by their own time and by cumulative time.

    python benchmarks/service_profile.py [--requests 2000] [--database-url URL] [--top 25]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import tempfile
import time
import uuid

import httpx

from solo60.services import definition
from solo60.services.kit.access_log import configure_logging
from solo60.services.kit.app import build_app
from solo60.services.kit.settings import ServiceSettings

HEADERS = {"x-api-key": "solo60-dev-key", "x-service-name": "bench"}


async def measure(requests: int, database_url: str | None, top: int) -> None:
    data_dir = tempfile.mkdtemp(prefix="solo60-profile-")
    environ = {**os.environ, "SOLO60_RATE_LIMIT": "100000000/minute", "SOLO60_DATA_DIR": data_dir}
    if database_url:
        environ["USER_DATABASE_URL"] = database_url
    configure_logging()  # access records are made as in a server (written to stderr by their thread)
    app = build_app(definition("user"), ServiceSettings.from_env("user", environ))
    run = uuid.uuid4().hex[:12]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://user", headers=HEADERS) as client:
            seeded = await client.post("/internal/users", json={"email": f"seed-{run}@example.com", "name": "S"})
            seeded.raise_for_status()
            user_path = f"/internal/users/{seeded.json()['id']}"
            counter = iter(range(10**9))

            async def get() -> None:
                (await client.get(user_path)).raise_for_status()

            async def post() -> None:
                body = {"email": f"p-{run}-{next(counter)}@example.com", "name": "Bench"}
                (await client.post("/internal/users", json=body)).raise_for_status()

            async def bare() -> None:  # the client's own cost, to subtract
                (await client.get("/health")).raise_for_status()

            for name, call in (("GET /health (client + routing floor)", bare), ("GET user", get), ("POST user", post)):
                for _ in range(200):
                    await call()
                # CPU time, not wall time: a wait for PostgreSQL's answer would otherwise be charged to
                # whichever function was running when the loop went idle (psycopg's send, epoll).
                profiler = cProfile.Profile(time.process_time)
                started = time.process_time()
                profiler.enable()
                for _ in range(requests):
                    await call()
                profiler.disable()
                spent = time.process_time() - started
                print(f"\n=== {name}: {spent / requests * 1e6:,.0f} µs CPU per request (under cProfile: inflated)")
                stats = pstats.Stats(profiler)
                stats.sort_stats("tottime").print_stats(top)
                stats.sort_stats("cumulative").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    if args.requests < 1:
        parser.error("--requests must be at least 1")
    asyncio.run(measure(args.requests, args.database_url, args.top))


if __name__ == "__main__":
    main()
