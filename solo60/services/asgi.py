"""ASGI entry point for running one service per process, as containers do.

`SOLO60_SERVICE=payment uvicorn --factory solo60.services.asgi:app_from_env --host 0.0.0.0`
"""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from solo60.services import SERVICE_NAMES, definition
from solo60.services.kit.access_log import configure_logging
from solo60.services.kit.app import build_app


def app_from_env() -> FastAPI:
    name = os.environ.get("SOLO60_SERVICE", "")
    if name not in SERVICE_NAMES:
        raise SystemExit(f"SOLO60_SERVICE must name one of {', '.join(SERVICE_NAMES)}, not {name!r}")
    configure_logging()
    app = build_app(definition(name))
    # Everything made so far (modules, the app, its routes and models) lives as long as the
    # process: moved out of the collector's generations, it is not scanned again and again.
    gc.freeze()
    app.router.lifespan_context = _freeze_after(app.router.lifespan_context)
    return app


def _freeze_after(startup: Any) -> Any:
    """The app's lifespan, then everything its start-up made moved out of the collector too.

    Migrations, the database pool and its connections, the dialect and the compiled statements
    are made while the lifespan starts and live as long as the process. Left in the oldest
    generation, each full collection (every second or so under load) walked them again: up to
    80 ms with the loop stopped, the PostgreSQL GET's worst latencies.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with startup(app) as state:
            gc.collect()  # what start-up left as garbage is freed, not frozen
            gc.freeze()
            yield state

    return lifespan
