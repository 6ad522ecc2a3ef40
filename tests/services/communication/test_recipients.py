"""Mail to a userId: the address comes from the real user service and is remembered for a while."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import httpx
import pytest

from solo60.services.kit.server import running_services
from solo60.services.kit.settings import DEVELOPMENT_API_KEY
from tests.helpers import assert_error, set_state
from tests.services.communication.smtp_server import SmtpServer, email_to, eventually

SEND = "/internal/emails/send"


@contextmanager
def user_service(database_url: str) -> Iterator[str]:
    """The user service under uvicorn on a free port of 127.0.0.1; its base URL."""
    overrides = {"user": {"database_url": database_url, "environment": "test"}}
    with running_services(["user"], environ={}, overrides=overrides) as services:
        yield services["user"].url


async def create_user(url: str, email: str) -> str:
    async with httpx.AsyncClient(base_url=url, headers={"x-api-key": DEVELOPMENT_API_KEY}) as users:
        response = await users.post("/internal/users", json={"email": email, "name": "Ada Lovelace"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def to_user(user_id: str) -> dict:
    return {**email_to(), "to": {"userId": user_id}}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def quick_user_client(url: str, **extra: str) -> dict[str, str]:
    return {"USER_SERVICE_URL": url, "USER_CLIENT_RETRY_ATTEMPTS": "1", "USER_CLIENT_BREAKER_FAILURES": "100", **extra}


async def test_mail_to_a_user_goes_to_the_address_the_user_service_knows_and_the_address_is_remembered(
    serve, smtp: SmtpServer, new_database_url
) -> None:
    with ExitStack() as running:
        url = running.enter_context(user_service(new_database_url("user")))
        user_id = await create_user(url, "Ada@Example.com")
        async with serve("communication", environ=smtp.environ(**quick_user_client(url))) as communication:
            first = await communication.post(SEND, json=to_user(user_id), headers={"Idempotency-Key": "1"})
            running.close()  # the user service goes away
            second = await communication.post(SEND, json=to_user(user_id), headers={"Idempotency-Key": "2"})

    assert first.status_code == second.status_code == 201
    assert [mail.envelope_to for mail in smtp.received] == [["Ada@Example.com"], ["Ada@Example.com"]]


async def test_a_user_the_user_service_does_not_know_is_not_found_and_remembered_as_unknown(
    serve, smtp: SmtpServer, new_database_url
) -> None:
    with ExitStack() as running:
        url = running.enter_context(user_service(new_database_url("user")))
        async with serve("communication", environ=smtp.environ(**quick_user_client(url))) as communication:
            first = await communication.post(SEND, json=to_user("nobody"), headers={"Idempotency-Key": "1"})
            running.close()
            second = await communication.post(SEND, json=to_user("nobody"), headers={"Idempotency-Key": "2"})

    assert_error(first, 404, "NOT_FOUND")
    assert_error(second, 404, "NOT_FOUND")  # answered from memory, not 503
    assert smtp.received == []


async def test_a_remembered_address_past_its_time_is_still_used_while_the_user_service_is_down(
    serve, smtp: SmtpServer, new_database_url
) -> None:
    with ExitStack() as running:
        url = running.enter_context(user_service(new_database_url("user")))
        user_id = await create_user(url, "ada@example.com")
        environ = smtp.environ(**quick_user_client(url, RECIPIENT_CACHE_SECONDS="0"))
        async with serve("communication", environ=environ) as communication:
            await communication.post(SEND, json=to_user(user_id), headers={"Idempotency-Key": "1"})
            running.close()
            stale = await communication.post(SEND, json=to_user(user_id), headers={"Idempotency-Key": "2"})

    assert stale.status_code == 201, stale.text
    assert len(smtp.received) == 2


async def test_while_the_user_service_is_down_sending_now_is_503_and_queued_mail_waits_for_it(
    serve, smtp: SmtpServer
) -> None:
    environ = smtp.environ(**quick_user_client(f"http://127.0.0.1:{closed_port()}", MAIL_MAX_ATTEMPTS="50"))
    async with serve("communication", environ=environ) as communication:
        now = await communication.post(SEND, json=to_user("42"), headers={"Idempotency-Key": "1"})
        queued = await communication.post(
            "/internal/emails/send-async", json=to_user("42"), headers={"Idempotency-Key": "2"}
        )
        message = f"/internal/emails/{queued.json()['messageId']}"

        async def retrying() -> dict | None:
            found = (await communication.get(message)).json()
            return found if found["attempts"] >= 2 else None

        waiting = await eventually(retrying, within=15, what="the queued mail to be retried")
        await set_state(communication, "a user can receive email", userId="42", email="grace@example.com")
        await eventually(lambda: _sent(communication, message), within=15, what="the mail once the address is known")

    assert_error(now, 503, "UPSTREAM_UNAVAILABLE")
    assert waiting["status"] == "QUEUED"
    assert "user service" in waiting["lastError"]
    assert [mail.envelope_to for mail in smtp.received] == [["grace@example.com"]]


async def _sent(communication: httpx.AsyncClient, path: str) -> bool:
    return (await communication.get(path)).json()["status"] == "SENT"


async def test_the_user_lookup_of_a_queued_mail_carries_the_correlation_id_of_the_request_that_queued_it(
    serve, smtp: SmtpServer, new_database_url, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="solo60.access")
    with user_service(new_database_url("user")) as url:
        user_id = await create_user(url, "ada@example.com")
        async with serve("communication", environ=smtp.environ(**quick_user_client(url))) as communication:
            queued = await communication.post(
                "/internal/emails/send-async",
                json=to_user(user_id),
                headers={"Idempotency-Key": "1", "x-correlation-id": "booking-77"},
            )
            await eventually(lambda: _sent(communication, f"/internal/emails/{queued.json()['messageId']}"))

    lookups = [
        (fields["route"], fields["correlationId"])
        for fields in (getattr(record, "fields", {}) for record in caplog.records)
        if fields.get("service") == "user" and fields.get("caller") == "communication"
    ]
    assert lookups == [("/internal/users/{userId}", "booking-77")]
