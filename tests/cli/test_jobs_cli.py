"""`solo60 jobs run-due` as cron runs it: a real process on the subscription service's database."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from solo60.services import definition
from solo60.services.kit.settings import ServiceSettings
from solo60.services.subscription import storage

SOLO60 = [sys.executable, "-m", "solo60"]
RENEWAL = datetime.fromisoformat("2031-03-01T00:00:00Z")
REMINDER_DAY = "2031-02-22T00:00:00Z"


def jobs(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SOLO60, "jobs", "run-due", *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "200", "SOLO60_ENV": "test", **(env or {})},
    )


def popen(*arguments: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*SOLO60, "jobs", "run-due", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200", "SOLO60_ENV": "test"},
    )


async def _seed(url: str, **fields: object) -> None:
    db = definition("subscription").database(ServiceSettings(service="subscription", database_url=url))
    await db.migrate()
    values: dict = {
        "id": "sub-1",
        "user_id": "123",
        "plan": "monthly-8",
        "status": "ACTIVE",
        "credits_per_month": 8,
        "current_period_start": datetime.fromisoformat("2031-02-01T00:00:00Z"),
        "current_period_end": RENEWAL,
        "cancel_at_period_end": False,
        "card_token": "tok_visa",
        "price_cents": 4900,
        "currency": "EUR",
    }
    values.update(fields)
    async with db.write() as session:
        await storage.add_subscription(session, **values)
    await db.dispose()


async def _queued_events(url: str) -> list[str]:
    """The events recorded for the member (the communication service mails them)."""
    db = definition("subscription").database(ServiceSettings(service="subscription", database_url=url))
    async with db.read() as session:
        payloads = (await session.execute(sa.select(storage.outbox.c.payload))).scalars().all()
    await db.dispose()
    return sorted(payload["name"] for payload in payloads if "name" in payload)


@pytest.fixture
def database(tmp_path: Path) -> str:
    """A subscription database with one active subscription renewing on 1 March 2031, card on file."""
    url = f"sqlite:///{tmp_path / 'subscription.sqlite'}"
    asyncio.run(_seed(url))
    return url


def queued_events(url: str) -> list[str]:
    return asyncio.run(_queued_events(url))


def test_a_due_reminder_is_sent_once_and_shown_in_a_table(database: str) -> None:
    first = jobs("--database-url", database, "--now", REMINDER_DAY)
    second = jobs("--database-url", database, "--now", REMINDER_DAY)

    assert first.returncode == 0, first.stderr
    assert "Done at 2031-02-22T00:00:00Z" in first.stdout
    assert "renewal reminder" in first.stdout
    assert "sent" in first.stdout
    assert "sub-1" in first.stdout
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "Nothing was due at 2031-02-22T00:00:00Z."
    assert queued_events(database) == ["subscription.renewal_due"]


def test_a_dry_run_lists_what_is_due_and_changes_nothing(database: str) -> None:
    listed = jobs("--database-url", database, "--now", REMINDER_DAY, "--dry-run")

    assert listed.returncode == 0, listed.stderr
    assert "Due (dry run) at 2031-02-22T00:00:00Z" in listed.stdout
    assert "would send" in listed.stdout
    assert queued_events(database) == []


def test_runs_started_at_the_same_time_send_the_reminder_once(database: str) -> None:
    processes = [popen("--database-url", database, "--now", REMINDER_DAY) for _ in range(3)]
    outputs = [process.communicate(timeout=60) for process in processes]

    assert [process.returncode for process in processes] == [0, 0, 0], [err for _, err in outputs]
    # A run that lost the race for the notice says "already sent" (or saw nothing due): one says "sent".
    assert sum(len(re.findall(r"│ sent +│", out)) for out, _ in outputs) == 1
    assert queued_events(database) == ["subscription.renewal_due"]


def test_a_renewal_that_cannot_be_charged_is_reported_and_the_exit_code_says_so(database: str) -> None:
    result = jobs("--database-url", database, "--now", "2031-03-01T00:00:00+00:00")

    assert result.returncode == 1
    assert "renewal" in result.stdout
    assert "PAYMENT_SERVICE_URL is not set" in result.stdout
    assert "1 failed" in result.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--now", "tomorrow"], "--now takes an ISO 8601 time with its offset"),
        (["--now", "2031-02-22T00:00:00"], "--now takes an ISO 8601 time with its offset"),
        (["--database-url", "nosuchdb://x"], "cannot use the subscription database"),
        (["--database-url", "postgresql://nobody@127.0.0.1:1/x"], "cannot use the subscription database"),
    ],
)
def test_bad_arguments_get_one_line_saying_what_is_wrong(arguments: list[str], message: str, tmp_path: Path) -> None:
    result = jobs(*arguments, env={"SOLO60_DATA_DIR": str(tmp_path)})

    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_a_dry_run_on_a_database_the_service_never_used_says_so(tmp_path: Path) -> None:
    result = jobs("--dry-run", env={"SOLO60_DATA_DIR": str(tmp_path)})

    assert result.returncode == 2
    assert "no subscription tables yet" in result.stderr


async def _seed_history(service: str, url: str, *, age: timedelta) -> None:
    """A delivered outbox message and an idempotency record in the service's own database, `age` old."""
    db = definition(service).database(ServiceSettings(service=service, database_url=url))
    await db.migrate()
    at = datetime.fromisoformat(REMINDER_DAY) - age
    tables = definition(service).metadata.tables
    async with db.write() as session:
        await session.execute(
            tables["outbox_messages"]
            .insert()
            .values(
                id=f"delivered-{age.days}",
                operation="send_mail",
                payload={},
                status="DELIVERED",
                attempts=1,
                next_attempt_at=at,
                created_at=at,
                delivered_at=at,
            )
        )
        await session.execute(
            tables["idempotency_records"]
            .insert()
            .values(operation="signup", key=f"key-{age.days}", fingerprint="f", status=201, response={}, created_at=at)
        )
    await db.dispose()


async def _history(service: str, url: str) -> tuple[list[str], list[str]]:
    db = definition(service).database(ServiceSettings(service=service, database_url=url))
    tables = definition(service).metadata.tables
    async with db.read() as session:
        messages = (await session.execute(sa.select(tables["outbox_messages"].c.id))).scalars().all()
        keys = (await session.execute(sa.select(tables["idempotency_records"].c.key))).scalars().all()
    await db.dispose()
    return sorted(message for message in messages if message.startswith("delivered-")), sorted(keys)


def test_run_due_deletes_what_is_past_retention_in_every_services_database(database: str, tmp_path: Path) -> None:
    auth = f"sqlite:///{tmp_path / 'auth.sqlite'}"
    for service, url in (("subscription", database), ("auth", auth)):
        asyncio.run(_seed_history(service, url, age=timedelta(days=8)))
        asyncio.run(_seed_history(service, url, age=timedelta(days=1)))
    env = {"SOLO60_DATA_DIR": str(tmp_path)}
    day_after = "2031-02-23T00:00:00Z"  # the reminder is not due any more: retention alone has work

    dry = jobs("--database-url", database, "--now", day_after, "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert "Retention (dry run: would delete)" in dry.stdout
    assert asyncio.run(_history("auth", auth)) == (["delivered-1", "delivered-8"], ["key-1", "key-8"])

    first = jobs("--database-url", database, "--now", day_after, env=env)
    again = jobs("--database-url", database, "--now", day_after, env=env)

    assert first.returncode == 0, first.stderr
    assert "Retention: deleted" in first.stdout
    assert "older than 7 days" in first.stdout
    assert {line.split("│")[1].strip() for line in first.stdout.splitlines() if "│ 1 " in line} >= {
        "auth",
        "subscription",
    }
    for service, url in (("subscription", database), ("auth", auth)):
        assert asyncio.run(_history(service, url)) == (["delivered-1"], ["key-1"])
    assert again.stdout.strip() == "Nothing was due at 2031-02-23T00:00:00Z."


def test_a_bad_retention_setting_is_one_line_naming_it(database: str) -> None:
    result = jobs("--database-url", database, env={"SOLO60_OUTBOX_RETENTION_DAYS": "forever"})

    assert result.returncode == 2
    assert "SOLO60_OUTBOX_RETENTION_DAYS must be a number of days" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
