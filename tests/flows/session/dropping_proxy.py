"""A TCP proxy in front of a real service that can let a request through and lose its answer.

For a request it is told to drop, the proxy forwards the request, reads the service's complete
answer (so the service has acted and committed), then aborts the caller's connection instead of
passing the answer on: to the caller, the connection broke after the request was sent, which
is the case a retry must not turn into a second effect.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

HEAD_END = b"\r\n\r\n"


@dataclass
class DroppingProxy:
    drop: Callable[[bytes], bool]
    """Decides from a request's head (`POST /path HTTP/1.1` and headers) whether to lose its answer."""
    upstream: tuple[str, int] | None = None
    forwarded: list[bytes] = field(default_factory=list)
    """The request line of every request the service received through the proxy."""
    dropped: list[bytes] = field(default_factory=list)
    port: int = 0
    _server: asyncio.Server | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        assert self.upstream is not None, "set the proxy's upstream before calling through it"
        service_reader, service_writer = await asyncio.open_connection(*self.upstream)
        try:
            while True:
                request = await _message(client_reader)
                if request is None:
                    return
                self.forwarded.append(request.split(b"\r\n", 1)[0])
                service_writer.write(request)
                await service_writer.drain()
                answer = await _message(service_reader)
                if answer is None:
                    return
                if self.drop(request):
                    self.dropped.append(request.split(b"\r\n", 1)[0])
                    client_writer.transport.abort()
                    return
                client_writer.write(answer)
                await client_writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            service_writer.close()
            client_writer.close()
            with contextlib.suppress(ConnectionError):
                await client_writer.wait_closed()


async def _message(reader: asyncio.StreamReader) -> bytes | None:
    """One HTTP/1.1 message with a Content-Length body (what httpx and uvicorn send here); None at EOF."""
    try:
        head = await reader.readuntil(HEAD_END)
    except asyncio.IncompleteReadError:
        return None
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    return head + (await reader.readexactly(length) if length else b"")
