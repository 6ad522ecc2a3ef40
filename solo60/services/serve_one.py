"""One service in its own process, on a listening socket its parent bound: `solo60 services up` runs one per service.

    python -m solo60.services.serve_one NAME --fd FD [--workers N]

The parent binds every port first (so port 0 gives a free one and every service knows the
others' URLs before any starts) and hands each child its socket. With `--workers N` the
child is uvicorn's own supervisor of N worker processes accepting on that one socket; each
worker builds the app from the environment (`solo60.services.asgi:app_from_env`).
"""

from __future__ import annotations

import argparse
import socket
import sys

import uvicorn
from uvicorn.supervisors import Multiprocess

from solo60.services import SERVICE_NAMES

APP = "solo60.services.asgi:app_from_env"


def config(fd: int, workers: int, log_level: str) -> uvicorn.Config:
    return uvicorn.Config(
        APP,
        factory=True,
        workers=workers,
        log_level=log_level,
        access_log=False,  # the service writes its own access log, with caller and correlation id
        lifespan="on",
        timeout_graceful_shutdown=5,
        fd=fd,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m solo60.services.serve_one", description=__doc__.splitlines()[0])
    parser.add_argument("service", choices=SERVICE_NAMES)
    parser.add_argument("--fd", type=int, required=True, help="a listening TCP socket inherited from the parent")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    listening = socket.socket(fileno=args.fd)  # family and type read from the socket itself
    settings = config(args.fd, args.workers, args.log_level)
    if args.workers > 1:
        Multiprocess(settings, sockets=[listening]).run()
        return 0
    settings.load_app()
    server = uvicorn.Server(settings)
    server.run(sockets=[listening])
    return 0 if server.started else 3


if __name__ == "__main__":
    sys.exit(main())
