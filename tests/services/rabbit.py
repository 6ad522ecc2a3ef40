"""The real RabbitMQ (127.0.0.1:5672, or SOLO60_TEST_AMQP_URL), with an exchange and queues per test, deleted after.

The `rabbit` and `rabbit_alone` fixtures are registered by `tests/services/conftest.py`. Tests
with `rabbit` share the broker (a shared file lock, across xdist workers); a test that restarts
it (`rabbit_alone`, `broker_stopped`) holds the lock alone, so no other test sees the outage."""

from __future__ import annotations

import asyncio
import fcntl
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aio_pika
import pytest

AMQP_URL = os.environ.get("SOLO60_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
BROKER_BACK_SECONDS = 60.0
LOCK_PATH = Path(tempfile.gettempdir()) / "solo60-rabbitmq-tests.lock"
LOCK_WAIT_SECONDS = 600.0


@asynccontextmanager
async def broker_lock(*, alone: bool) -> AsyncIterator[None]:
    """Hold the broker shared (most tests) or alone (a restart), across processes; the wait is bounded."""
    mode = fcntl.LOCK_EX if alone else fcntl.LOCK_SH
    with LOCK_PATH.open("a") as handle:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(handle, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if loop.time() > deadline:
                    pytest.fail(f"waited {LOCK_WAIT_SECONDS:g} s for the RabbitMQ test lock ({LOCK_PATH})")
                await asyncio.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def rabbitmqctl(*arguments: str) -> str:
    """Run `rabbitmqctl` against the local node; fails the test (never skips it) when it is missing or refuses."""
    command = shutil.which("rabbitmqctl")
    if command is None:
        pytest.fail(
            "rabbitmqctl is not on PATH: the broker restart test needs the local RabbitMQ (`.ci/run` installs it)"
        )
    done = subprocess.run([command, *arguments], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        pytest.fail(f"rabbitmqctl {' '.join(arguments)} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


@asynccontextmanager
async def broker_stopped(url: str = AMQP_URL) -> AsyncIterator[None]:
    """Stop the RabbitMQ application (`rabbitmqctl stop_app`: every connection drops, the node keeps its
    disk), and start it again on leaving, even when the body fails; returns once it takes connections.

    Only under `rabbit_alone`: other tests wait for it rather than see the outage; keep the body short."""
    await asyncio.to_thread(rabbitmqctl, "stop_app")
    try:
        yield
    finally:
        await asyncio.to_thread(rabbitmqctl, "start_app")
        await broker_back(url)


async def broker_back(url: str = AMQP_URL, within: float = BROKER_BACK_SECONDS) -> None:
    """Wait (bounded) until the broker accepts a connection again."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        try:
            connection = await aio_pika.connect(url, timeout=5)
        except Exception as error:
            if loop.time() > deadline:
                pytest.fail(f"RabbitMQ did not take connections within {within:g} s of start_app: {error}")
            await asyncio.sleep(0.5)
        else:
            await connection.close()
            return


@dataclass
class RabbitNames:
    """Names unique to one test, and everything to delete when it ends."""

    url: str
    exchange: str
    queues: list[str] = field(default_factory=list)

    def queue(self, consumer: str) -> str:
        name = f"{self.exchange}.{consumer}"
        self.queues += [name, f"{name}.dead"]
        return name

    def drop_connections(self) -> int:
        """Have the broker close every connection of this test's exchange (as a restart would); how many.

        Only this test's connections (named `solo60:<exchange>` by the bus) are closed: the
        server is shared with other suites."""
        listed = subprocess.run(
            ["rabbitmqctl", "list_connections", "pid", "client_properties", "-q", "--no-table-headers"],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        ours = f'{{"connection_name","solo60:{self.exchange}"}}'
        pids = [line.split("\t", 1)[0] for line in listed.stdout.splitlines() if ours in line]
        for pid in pids:
            subprocess.run(
                ["rabbitmqctl", "close_connection", pid, "test: the broker goes away"],
                capture_output=True, timeout=60, check=True,
            )  # fmt: skip
        return len(pids)

    async def depth(self, queue: str) -> int:
        """Messages ready in `queue` (a passive declare: never creates it)."""
        connection = await aio_pika.connect(self.url)
        async with connection:
            channel = await connection.channel()
            declared = await channel.declare_queue(queue, passive=True)
            return declared.declaration_result.message_count or 0


@pytest.fixture
async def rabbit() -> AsyncIterator[RabbitNames]:
    async with broker_lock(alone=False):
        async for names in _names():
            yield names


@pytest.fixture
async def rabbit_alone() -> AsyncIterator[RabbitNames]:
    """`rabbit` for a test that restarts the broker: no other test uses it meanwhile."""
    async with broker_lock(alone=True):
        async for names in _names():
            yield names


async def _names() -> AsyncIterator[RabbitNames]:
    try:
        connection = await aio_pika.connect(AMQP_URL, timeout=5)
    except Exception as error:
        pytest.fail(f"RabbitMQ is not reachable at {AMQP_URL} ({error}); `.ci/run` starts it")
    await connection.close()
    names = RabbitNames(AMQP_URL, f"test-{uuid.uuid4().hex[:12]}")
    yield names
    connection = await aio_pika.connect(AMQP_URL)
    async with connection:
        channel = await connection.channel()
        for queue in names.queues:
            await channel.queue_delete(queue)
        for exchange in (names.exchange, f"{names.exchange}.dead"):
            await channel.exchange_delete(exchange)
