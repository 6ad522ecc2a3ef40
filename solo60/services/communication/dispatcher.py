"""The mail relay as its own process, as many replicas as wanted, against the service's database.

    python -m solo60.services.communication.dispatcher --loop   # until SIGTERM or Ctrl-C
    python -m solo60.services.communication.dispatcher --once   # deliver what is due now, then exit

It is configured like the service (the same variables) and runs the same relay the service runs
in-process (`mail_target.py`); set `MAIL_DISPATCHER=0` on the service when these run instead.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from solo60.services import definition
from solo60.services.communication.config import MailConfig
from solo60.services.communication.mail_target import mail_relay
from solo60.services.communication.outgoing_mail import open_mail
from solo60.services.kit import ServiceSettings
from solo60.services.kit.outbox import RelayReport


async def run_standalone(*, once: bool, environ: dict[str, str] | None = None) -> RelayReport | None:
    """Deliver queued mail as the service would: once (what is due now), or until a signal."""
    settings = ServiceSettings.from_env("communication", environ)
    config = MailConfig.from_settings(settings)
    db = definition("communication").database(settings)
    await db.migrate()
    try:
        async with open_mail(settings, config, db) as mail:
            relay = mail_relay(db, mail.transport, mail.recipients, config)
            if once:
                return await relay.drain()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, relay.request_stop)
            await relay.run()
            return None
    finally:
        await db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m solo60.services.communication.dispatcher",
        description="Deliver the communication service's queued mail (configured like the service).",
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    mode.add_argument("--loop", action="store_true", help="keep delivering until SIGTERM or Ctrl-C")
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    report = asyncio.run(run_standalone(once=arguments.once))
    if report is not None:
        print(f"sent {report.delivered}, retrying {report.retried}, failed {report.failed}", flush=True)
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        raise SystemExit(main())
