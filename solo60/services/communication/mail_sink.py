"""A local SMTP server (aiosmtpd) that keeps what it receives: mail for development without a mail server.

When no `SMTP_HOST` is configured outside production, the communication service starts one
on a free port of 127.0.0.1 and stores each message as an `.eml` file under
`<data dir>/mail/`, so `solo60 services up` and contract verification send real SMTP without
any setup. `LocalSmtpServer` runs in the caller's event loop and can be stopped and started
again on the same port (tests use it to take the mail server down and up).
"""

from __future__ import annotations

import asyncio
import os
import uuid
import weakref
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from solo60.services.kit import utc_now

SINK_HOSTNAME = "solo60-mail-sink"


class LocalSmtpServer:
    """An aiosmtpd server on 127.0.0.1 whose handler decides what happens to each message."""

    def __init__(self, handler: Any, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.handler = handler
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None
        self._sessions: weakref.WeakSet[SMTP] = weakref.WeakSet()

    @property
    def running(self) -> bool:
        return self._server is not None

    async def start(self) -> None:
        """Listen (on the same port as before, after a stop)."""
        if self._server is not None:
            return
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._new_session, self.host, self.port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening and drop every open connection, as a crashed or stopped server would."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for session in list(self._sessions):
            if isinstance(session.transport, asyncio.Transport):
                session.transport.abort()
        await server.wait_closed()

    def _new_session(self) -> SMTP:
        session = SMTP(self.handler, hostname=SINK_HOSTNAME, ident="Solo60 local mail sink")
        self._sessions.add(session)
        return session


class FileStore:
    """aiosmtpd handler: every accepted message becomes one `.eml` file, written atomically."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        await asyncio.to_thread(self._store, envelope)
        return "250 2.0.0 Message stored"

    def _store(self, envelope: Envelope) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{utc_now().strftime('%Y%m%dT%H%M%S.%fZ')}-{uuid.uuid4().hex[:8]}.eml"
        envelope_headers = "".join(f"X-Envelope-To: {recipient}\r\n" for recipient in envelope.rcpt_tos)
        content = envelope.original_content or envelope.content or b""
        data = (f"X-Envelope-From: {envelope.mail_from}\r\n{envelope_headers}").encode() + (
            content if isinstance(content, bytes) else content.encode()
        )
        partial = self.directory / f".{name}.part"
        partial.write_bytes(data)
        os.replace(partial, self.directory / name)


class MailSink:
    """The embedded development mail server: a `LocalSmtpServer` with a `FileStore`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.server = LocalSmtpServer(FileStore(directory))

    @property
    def port(self) -> int:
        return self.server.port

    async def start(self) -> None:
        await self.server.start()

    async def stop(self) -> None:
        await self.server.stop()

    def stored(self) -> list[Path]:
        """The stored messages, oldest first."""
        if not self.directory.exists():
            return []
        return sorted(self.directory.glob("*.eml"))
