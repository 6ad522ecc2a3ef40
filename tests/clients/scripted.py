"""A real HTTP provider whose answers a test scripts, and which records what it received.

It runs under uvicorn on 127.0.0.1 on a free port in the test's own event loop, so a test can
script "503, 503, then 200", a slow answer or a dropped connection and then check exactly
which requests arrived, with which headers, and when.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import deque
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from solo60.services.kit.server import bind_socket

STARTUP_TIMEOUT = 5.0


@dataclass(frozen=True)
class Answer:
    """What the provider answers to the next request: a status, a JSON body, headers, after a delay."""

    status: int = 200
    json: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    raw: bytes | None = None
    drop: bool = False
    """Start the response, then close the connection before the body: the caller sees a broken connection."""


def error(status: int, code: str, message: str = "scripted failure", **extra: Any) -> Answer:
    """The conventions' error body, as a kit provider would answer it."""
    headers = extra.pop("headers", {})
    body = {"error": code, "message": message, "correlationId": extra.pop("correlation_id", "corr-from-provider")}
    body.update(extra)
    return Answer(status, body, headers=headers)


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    at: float


class ScriptedProvider:
    """Answers each request with the next scripted `Answer` (or `default` once the script is used up)."""

    def __init__(self) -> None:
        self.script: deque[Answer] = deque()
        self.default = Answer(200, {})
        self.received: list[Received] = []
        self.url = ""

    def answer(self, *answers: Answer) -> None:
        self.script.extend(answers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]}
        self.received.append(
            Received(scope["method"], scope["path"], scope["query_string"].decode(), headers, body, time.monotonic())
        )
        answer = self.script.popleft() if self.script else self.default
        if answer.delay:
            await asyncio.sleep(answer.delay)
        content = (
            answer.raw if answer.raw is not None else b"" if answer.json is None else json.dumps(answer.json).encode()
        )
        response_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(content)).encode())]
        response_headers += [(key.encode(), value.encode()) for key, value in answer.headers.items()]
        await send({"type": "http.response.start", "status": answer.status, "headers": response_headers})
        if answer.drop:
            return  # uvicorn closes the connection of a response left incomplete
        await send({"type": "http.response.body", "body": content})

    def gaps(self) -> list[float]:
        """Seconds between consecutive requests, e.g. the waits between retries."""
        times = [request.at for request in self.received]
        return [later - earlier for earlier, later in itertools.pairwise(times)]


class _PromptServer(uvicorn.Server):
    """uvicorn checks for shutdown every 0.1 s; tests start and stop a server each, so check every 5 ms."""

    async def main_loop(self) -> None:
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            await asyncio.sleep(0.005)


@asynccontextmanager
async def serving(app: ASGIApp) -> AsyncIterator[str]:
    """Run `app` under uvicorn on 127.0.0.1 on a free port in this event loop; yields its base URL."""
    sock = bind_socket(0)
    server = _PromptServer(
        uvicorn.Config(app, log_level="critical", access_log=False, lifespan="off", timeout_graceful_shutdown=1)
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(STARTUP_TIMEOUT):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.005)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()
