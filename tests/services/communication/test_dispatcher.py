"""The outbox under faults: mail server outages, killed dispatchers, hopeless messages, competing replicas.

Each test queues mail through `send-async` and checks what reached the SMTP server: every
message exactly once (by its outbox id and Message-ID), and the rows in the final state.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from solo60.services.communication import storage
from solo60.services.communication.mail_target import mail_relay
from solo60.services.kit import Database
from solo60.services.kit.outbox import OutboxStore, RetryPolicy
from tests.services.communication.smtp_server import SmtpServer, email_to, eventually

SEND_ASYNC = "/internal/emails/send-async"
DISPATCHER_MODULE = "solo60.services.communication.dispatcher"
PROCESS_WAIT_SECONDS = 20.0


def db_of(communication: httpx.AsyncClient) -> Database:
    return communication.app.state.runtime.db  # type: ignore[attr-defined]


async def queue(communication: httpx.AsyncClient, count: int, *, prefix: str = "burst") -> list[str]:
    """Queue `count` mails to distinct addresses, ten requests at a time; their message ids."""
    limit = asyncio.Semaphore(10)

    async def one(index: int) -> str:
        async with limit:
            response = await communication.post(
                SEND_ASYNC,
                json=email_to(f"member{index}@example.com"),
                headers={"Idempotency-Key": f"{prefix}-{index}"},
            )
        assert response.status_code == 202, response.text
        return response.json()["messageId"]

    return list(await asyncio.gather(*(one(index) for index in range(count))))


async def statuses(db: Database) -> dict[str, int]:
    async with db.read() as session:
        return await storage.count_by_status(session)


def all_sent(db: Database, count: int) -> Callable[[], object]:
    async def check() -> bool:
        return (await statuses(db)).get("SENT", 0) == count

    return check


async def attempts_by_message(db: Database) -> dict[str, int]:
    async with db.read() as session:
        rows = await session.execute(sa.select(storage.outbox.c.id, storage.outbox.c.attempts))
        return dict(rows.all())


def assert_each_arrived_exactly_once(smtp: SmtpServer, message_ids: list[str]) -> None:
    arrivals = Counter(mail.outbox_id for mail in smtp.received)
    assert sorted(arrivals) == sorted(message_ids), "some messages never arrived, or strangers did"
    duplicated = {message_id: count for message_id, count in arrivals.items() if count > 1}
    assert duplicated == {}, f"delivered more than once: {duplicated}"


# -- the mail server is down ----------------------------------------------------------------


async def test_a_burst_queued_while_the_mail_server_is_down_is_delivered_exactly_once_when_it_is_back(
    serve, smtp: SmtpServer
) -> None:
    await smtp.stop()
    async with serve("communication", environ=smtp.environ(MAIL_MAX_ATTEMPTS="50")) as communication:
        db = db_of(communication)
        message_ids = await queue(communication, 100)

        async def retried_meanwhile() -> bool:
            async with db.read() as session:
                failed = await session.scalar(
                    sa.select(sa.func.count()).where(
                        storage.outbox.c.status == "PENDING", storage.outbox.c.last_error.is_not(None)
                    )
                )
            return (failed or 0) >= 5

        await eventually(retried_meanwhile, within=15, what="attempts to fail while the mail server is down")
        assert smtp.received == []
        await smtp.start()
        await eventually(all_sent(db, 100), within=30, what="all 100 mails to be sent")

    assert_each_arrived_exactly_once(smtp, message_ids)


# -- a dispatcher is killed -----------------------------------------------------------------


@asynccontextmanager
async def dispatcher_process(url: str, environ: dict[str, str], log: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m ...dispatcher --loop` on the test's database; killed on exit if still running."""
    with log.open("ab") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            DISPATCHER_MODULE,
            "--loop",
            env={**os.environ, **environ, "COMMUNICATION_DATABASE_URL": url, "SOLO60_ENV": "test"},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await asyncio.wait_for(process.wait(), PROCESS_WAIT_SECONDS)


async def kill(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGKILL)
    await asyncio.wait_for(process.wait(), PROCESS_WAIT_SECONDS)


async def stop(process: asyncio.subprocess.Process) -> int:
    process.terminate()
    return await asyncio.wait_for(process.wait(), PROCESS_WAIT_SECONDS)


def separate_dispatcher(smtp: SmtpServer) -> dict[str, str]:
    """The service only queues; dispatchers run as their own processes, with a short lease (9 s:
    derived from the scaled-down SMTP timeouts)."""
    return smtp.environ(MAIL_DISPATCHER="0", SMTP_TIMEOUT_SECONDS="1", SMTP_DATA_TIMEOUT_SECONDS="1")


async def test_a_dispatcher_killed_mid_batch_and_restarted_loses_and_duplicates_nothing(
    serve, smtp: SmtpServer, new_database_url, tmp_path: Path
) -> None:
    url = new_database_url("communication")
    environ = separate_dispatcher(smtp)
    in_rcpt, release = asyncio.Event(), asyncio.Event()

    async def hold_the_fortieth(stored: int) -> None:
        if stored == 39 and not in_rcpt.is_set():  # the 40th message is on the wire, not yet accepted
            in_rcpt.set()
            await asyncio.wait_for(release.wait(), PROCESS_WAIT_SECONDS)

    async with serve("communication", database_url=url, environ=environ) as communication:
        db = db_of(communication)
        message_ids = await queue(communication, 100)
        smtp.mailbox.on_rcpt = hold_the_fortieth
        async with dispatcher_process(url, environ, tmp_path / "first.log") as first:
            await asyncio.wait_for(in_rcpt.wait(), 30)
            await kill(first)
        release.set()

        assert await statuses(db) == {"SENT": 39, "QUEUED": 61}  # each sent mail was recorded before the next
        async with dispatcher_process(url, environ, tmp_path / "second.log") as second:
            await eventually(all_sent(db, 100), within=30, what="the restarted dispatcher to send the rest")
            assert await stop(second) == 0
        attempts = sorted(Counter((await attempts_by_message(db)).values()).items())

    assert_each_arrived_exactly_once(smtp, message_ids)
    assert attempts == [(1, 99), (2, 1)]  # the one in flight was tried again once its lease expired


async def test_a_dispatcher_killed_after_the_server_accepted_a_mail_but_before_recording_it_resends_that_one(
    serve, smtp: SmtpServer, new_database_url, tmp_path: Path
) -> None:
    """The one window SMTP leaves open: at least once, and the copy carries the same Message-ID."""
    url = new_database_url("communication")
    environ = separate_dispatcher(smtp)
    accepted, release = asyncio.Event(), asyncio.Event()

    async def die_before_replying_to_the_tenth(stored: int) -> None:
        if stored == 10 and not accepted.is_set():
            accepted.set()
            await asyncio.wait_for(release.wait(), PROCESS_WAIT_SECONDS)

    async with serve("communication", database_url=url, environ=environ) as communication:
        db = db_of(communication)
        message_ids = await queue(communication, 20)
        smtp.mailbox.after_store = die_before_replying_to_the_tenth
        async with dispatcher_process(url, environ, tmp_path / "first.log") as first:
            await asyncio.wait_for(accepted.wait(), 30)
            await kill(first)
        release.set()
        async with dispatcher_process(url, environ, tmp_path / "second.log"):
            await eventually(all_sent(db, 20), within=30, what="the restarted dispatcher to send the rest")

    arrivals = Counter(mail.outbox_id for mail in smtp.received)
    assert sorted(arrivals) == sorted(message_ids)
    [(resent, copies)] = [(message_id, count) for message_id, count in arrivals.items() if count > 1]
    assert copies == 2
    assert len({mail.message_id for mail in smtp.mailbox.with_outbox_id(resent)}) == 1


async def test_the_dispatcher_run_once_delivers_what_is_due_and_exits(
    serve, smtp: SmtpServer, new_database_url
) -> None:
    url = new_database_url("communication")
    environ = separate_dispatcher(smtp)
    async with serve("communication", database_url=url, environ=environ) as communication:
        message_ids = await queue(communication, 3)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            DISPATCHER_MODULE,
            "--once",
            env={**os.environ, **environ, "COMMUNICATION_DATABASE_URL": url, "SOLO60_ENV": "test"},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), PROCESS_WAIT_SECONDS)

        assert process.returncode == 0, stderr.decode()
        assert stdout.decode().strip() == "sent 3, retrying 0, failed 0"
        assert await statuses(db_of(communication)) == {"SENT": 3}
    assert_each_arrived_exactly_once(smtp, message_ids)


# -- hopeless messages ----------------------------------------------------------------------


async def test_a_mail_that_keeps_failing_ends_failed_with_its_error_after_the_last_attempt(
    serve, smtp: SmtpServer
) -> None:
    smtp.mailbox.refuse["busy@example.com"] = "451 4.2.1 Mailbox busy, try again later"
    async with serve("communication", environ=smtp.environ(MAIL_MAX_ATTEMPTS="3")) as communication:
        busy = await communication.post(SEND_ASYNC, json=email_to("busy@example.com"), headers={"Idempotency-Key": "b"})
        fine = await communication.post(SEND_ASYNC, json=email_to("ada@example.com"), headers={"Idempotency-Key": "f"})

        async def failed() -> dict | None:
            found = (await communication.get(f"/internal/emails/{busy.json()['messageId']}")).json()
            return found if found["status"] == "FAILED" else None

        gave_up = await eventually(failed, within=15, what="the busy mailbox's mail to fail")
        delivered = (await communication.get(f"/internal/emails/{fine.json()['messageId']}")).json()

    assert (gave_up["attempts"], gave_up["maxAttempts"]) == (3, 3)
    assert "gave up after 3 attempts" in gave_up["lastError"]
    assert "451 4.2.1 Mailbox busy" in gave_up["lastError"]
    assert gave_up["nextAttemptAt"] is None
    assert delivered["status"] == "SENT"  # one hopeless message holds up no other
    assert [mail.envelope_to for mail in smtp.received] == [["ada@example.com"]]


async def test_a_mail_the_server_refuses_for_good_fails_at_the_first_attempt(serve, smtp: SmtpServer) -> None:
    smtp.mailbox.refuse["gone@example.com"] = "550 5.1.1 No such mailbox"
    async with serve("communication", environ=smtp.environ()) as communication:
        queued = await communication.post(
            SEND_ASYNC, json=email_to("gone@example.com"), headers={"Idempotency-Key": "g"}
        )

        async def failed() -> dict | None:
            found = (await communication.get(f"/internal/emails/{queued.json()['messageId']}")).json()
            return found if found["status"] == "FAILED" else None

        gave_up = await eventually(failed, within=10)

    assert gave_up["attempts"] == 1
    assert "550 5.1.1 No such mailbox" in gave_up["lastError"]


async def test_a_message_whose_last_attempt_died_with_its_dispatcher_ends_failed(serve, smtp: SmtpServer) -> None:
    async with serve(
        "communication", environ=smtp.environ(MAIL_DISPATCHER="0", MAIL_MAX_ATTEMPTS="1")
    ) as communication:
        db = db_of(communication)
        [message_id] = await queue(communication, 1)
        crashed = OutboxStore(db, storage.outbox, owner="crashed", lease=timedelta(0), max_attempts=1)
        assert await crashed.claim(message_id) is not None  # claimed, then never heard of again
        runtime = communication.app.state.runtime  # type: ignore[attr-defined]

        report = await runtime.relay.deliver_due()
        found = (await communication.get(f"/internal/emails/{message_id}")).json()

    assert report.failed == 1
    assert (found["status"], found["attempts"]) == ("FAILED", 1)
    assert "did not report back" in found["lastError"]
    assert smtp.received == []


# -- a mail server slow to answer ------------------------------------------------------------


async def test_a_server_slow_to_answer_the_end_of_data_gets_each_mail_once_from_competing_dispatchers(
    serve, smtp: SmtpServer, new_database_url
) -> None:
    """RFC 5321 4.5.3.2 gives the reply to the end of DATA 10 minutes, far longer than a command.

    Scaled down: commands wait 0.5 s, DATA's replies 5 s, and the server answers the end of each
    message after 1.5 s. Giving up after a command's time would count the mail as failed while the
    server keeps it, and send it again; a lease shorter than the send would let the other dispatcher
    take it over and send it again.
    """
    url = new_database_url("communication")
    environ = smtp.environ(MAIL_DISPATCHER="0", SMTP_TIMEOUT_SECONDS="0.5", SMTP_DATA_TIMEOUT_SECONDS="5")

    async def slow_to_accept(_stored: int) -> None:
        await asyncio.sleep(1.5)

    smtp.mailbox.after_store = slow_to_accept
    async with serve("communication", database_url=url, environ=environ) as communication:
        runtime = communication.app.state.runtime  # type: ignore[attr-defined]
        message_ids = await queue(communication, 8)
        databases = [Database(url, migrations=runtime.db.migrations) for _ in range(2)]
        replicas = [
            mail_relay(db, runtime.mail.transport, runtime.mail.recipients, runtime.config, name=f"replica-{index}")
            for index, db in enumerate(databases)
        ]
        try:
            await asyncio.wait_for(asyncio.gather(*(replica.drain() for replica in replicas)), 60)
        finally:
            for db in databases:
                await db.dispose()
        final = await statuses(runtime.db)
        attempts = set((await attempts_by_message(runtime.db)).values())

    assert_each_arrived_exactly_once(smtp, message_ids)
    assert final == {"SENT": 8}
    assert attempts == {1}


async def test_a_reply_to_data_later_than_its_timeout_is_the_documented_window_and_resends_once(
    serve, smtp: SmtpServer
) -> None:
    """The server keeps the mail but answers after SMTP_DATA_TIMEOUT_SECONDS: the attempt counts as
    failed and the mail goes again, with the same Message-ID (what mail_target.py documents)."""

    async def first_reply_too_late(stored: int) -> None:
        if stored == 1:
            await asyncio.sleep(1.5)

    smtp.mailbox.after_store = first_reply_too_late
    environ = smtp.environ(SMTP_TIMEOUT_SECONDS="0.5", SMTP_DATA_TIMEOUT_SECONDS="0.5")
    async with serve("communication", environ=environ) as communication:
        db = db_of(communication)
        [message_id] = await queue(communication, 1)
        await eventually(all_sent(db, 1), within=30, what="the second attempt to be accepted")

    copies = smtp.mailbox.with_outbox_id(message_id)
    assert len(copies) == 2
    assert len({mail.message_id for mail in copies}) == 1


def test_the_lease_outlives_the_longest_send_the_timeouts_allow() -> None:
    from solo60.services.communication.config import MailConfig

    for timeouts in [{}, {"smtp_timeout_seconds": 1, "smtp_data_timeout_seconds": 2}, {"smtp_username": "u"}]:
        config = MailConfig(**timeouts)
        longest_send = (1 + config.connection_steps + 3) * config.smtp_timeout_seconds + 2 * (
            config.smtp_data_timeout_seconds
        )
        assert config.delivery_deadline.total_seconds() >= longest_send
        assert config.lease > config.delivery_deadline
    assert MailConfig().smtp_data_timeout_seconds == 600  # RFC 5321 4.5.3.2: 10 minutes for the end of DATA
    assert MailConfig().smtp_timeout_seconds == 300  # and 5 for MAIL and RCPT


# -- competing dispatchers ------------------------------------------------------------------


async def test_dispatchers_running_in_parallel_never_send_one_message_twice(
    serve, smtp: SmtpServer, new_database_url
) -> None:
    url = new_database_url("communication")
    async with serve("communication", database_url=url, environ=smtp.environ(MAIL_DISPATCHER="0")) as communication:
        runtime = communication.app.state.runtime  # type: ignore[attr-defined]
        message_ids = await queue(communication, 100)
        databases = [Database(url, migrations=runtime.db.migrations) for _ in range(3)]
        replicas = [
            mail_relay(db, runtime.mail.transport, runtime.mail.recipients, runtime.config, name=f"replica-{index}")
            for index, db in enumerate(databases)
        ]
        try:
            reports = await asyncio.wait_for(asyncio.gather(*(replica.drain() for replica in replicas)), 60)
        finally:
            for db in databases:
                await db.dispose()
        assert await statuses(runtime.db) == {"SENT": 100}

    assert_each_arrived_exactly_once(smtp, message_ids)
    sent = [report.delivered for report in reports]
    assert sum(sent) == 100
    assert sorted(sent)[-2] > 0, f"the replicas did not compete: {sent}"


async def test_an_outcome_is_recorded_only_by_the_dispatcher_holding_the_lease(serve, smtp: SmtpServer) -> None:
    async with serve("communication", environ=smtp.environ(MAIL_DISPATCHER="0")) as communication:
        db = db_of(communication)
        [message_id] = await queue(communication, 1)
        slow = OutboxStore(db, storage.outbox, owner="slow", lease=timedelta(0), max_attempts=5)
        other = OutboxStore(db, storage.outbox, owner="other", lease=timedelta(minutes=1), max_attempts=5)

        slow_claim = await slow.claim(message_id)
        other_claim = await other.claim(message_id)  # the slow one's lease has run out
        assert slow_claim is not None
        assert other_claim is not None
        assert await other.claim(message_id) is None  # a live lease keeps everyone else out

        assert await slow.delivered(slow_claim) is False
        assert await other.delivered(other_claim) is True


# -- backoff --------------------------------------------------------------------------------


@pytest.mark.parametrize("attempts", range(1, 12))
def test_the_wait_before_a_retry_doubles_per_attempt_with_jitter_up_to_a_cap(attempts: int) -> None:
    policy = RetryPolicy(max_attempts=12, base_seconds=2, max_seconds=600)
    ceiling = min(600, 2 * 2 ** (attempts - 1))

    waits = [policy.delay_after(attempts).total_seconds() for _ in range(50)]

    assert all(ceiling / 2 <= wait <= ceiling for wait in waits)
    assert len(set(waits)) > 1  # jittered: a burst of failures does not retry in lockstep


async def test_a_failed_attempt_is_retried_only_after_its_backoff(serve, smtp: SmtpServer) -> None:
    await smtp.stop()
    environ = smtp.environ(MAIL_DISPATCHER="0", MAIL_RETRY_BASE_SECONDS="60", MAIL_RETRY_MAX_SECONDS="60")
    async with serve("communication", environ=environ) as communication:
        runtime = communication.app.state.runtime  # type: ignore[attr-defined]
        [message_id] = await queue(communication, 1)

        first = await runtime.relay.deliver_due()
        await smtp.start()
        second = await runtime.relay.deliver_due()
        found = (await communication.get(f"/internal/emails/{message_id}")).json()

    assert (first.retried, first.unavailable) == (1, {storage.SEND_MAIL})
    assert second.looked_at == 0  # not due again for at least 30 s
    assert (found["status"], found["attempts"]) == ("QUEUED", 1)
    assert "mail server unavailable" in found["lastError"]
    assert found["nextAttemptAt"] > found["updatedAt"]
