"""The communication service's provider states seed what their names say, and replace rather than clash."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx

from tests.helpers import assert_error, set_state
from tests.services.communication.smtp_server import SmtpServer, email_to


async def test_the_states_are_listed_with_their_parameters(communication: httpx.AsyncClient) -> None:
    listed = (await communication.get("/_pact/provider-states")).json()

    names = {state["name"]: state for state in listed["states"]}
    assert set(names) == {
        "a user can receive email",
        "a user does not exist",
        "an email was queued",
        "no email was queued",
    }
    assert set(names["an email was queued"]["params"]) >= {"messageId", "status", "attempts", "templateKey"}


async def test_a_user_who_can_receive_email_gets_mail_sent_to_their_id(
    communication: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    seeded = await set_state(communication, "a user can receive email")
    response = await communication.post(
        "/internal/emails/send", json={**email_to(), "to": {"userId": "123"}}, headers={"Idempotency-Key": "k"}
    )

    assert seeded == {"userId": "123", "email": "ada@example.com"}
    assert response.status_code == 201, response.text
    assert smtp.received[0].envelope_to == ["ada@example.com"]


async def test_setting_a_user_state_again_replaces_the_address(
    communication: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    await set_state(communication, "a user can receive email", userId="7", email="old@example.com")
    await set_state(communication, "a user can receive email", userId="7", email="new@example.com")
    await communication.post(
        "/internal/emails/send", json={**email_to(), "to": {"userId": "7"}}, headers={"Idempotency-Key": "k"}
    )
    await set_state(communication, "a user does not exist", userId="7")
    gone = await communication.post(
        "/internal/emails/send", json={**email_to(), "to": {"userId": "7"}}, headers={"Idempotency-Key": "k2"}
    )

    assert [mail.envelope_to for mail in smtp.received] == [["new@example.com"]]
    assert_error(gone, 404, "NOT_FOUND")


async def test_a_queued_email_waits_with_its_status_and_attempts_untouched_by_the_dispatcher(
    communication: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    seeded = await set_state(communication, "an email was queued", messageId="m-1", attempts=2)
    await asyncio.sleep(0.3)  # several dispatcher polls

    found = (await communication.get("/internal/emails/m-1")).json()

    assert seeded == {"messageId": "m-1", "status": "QUEUED", "attempts": 2}
    assert (found["status"], found["attempts"], found["templateKey"]) == ("QUEUED", 2, "SESSION_APPROVED")
    assert found["lastError"]
    assert datetime.fromisoformat(found["nextAttemptAt"]) > datetime.now(UTC)
    assert smtp.received == []


async def test_a_seeded_email_can_be_sent_or_failed_and_seeding_it_again_replaces_it(
    communication: httpx.AsyncClient,
) -> None:
    await set_state(communication, "an email was queued", messageId="m-1", status="SENT")
    sent = (await communication.get("/internal/emails/m-1")).json()
    await set_state(communication, "an email was queued", messageId="m-1", status="FAILED", lastError="550 gone")
    failed = (await communication.get("/internal/emails/m-1")).json()

    assert (sent["status"], sent["attempts"]) == ("SENT", 1)
    assert sent["sentAt"] is not None
    assert (failed["status"], failed["lastError"], failed["sentAt"]) == ("FAILED", "550 gone", None)


async def test_no_email_was_queued_makes_every_message_unknown(communication: httpx.AsyncClient) -> None:
    await set_state(communication, "no email was queued")
    assert_error(await communication.get("/internal/emails/msg-123"), 404, "NOT_FOUND")


async def test_a_state_with_impossible_params_is_refused_naming_them(communication: httpx.AsyncClient) -> None:
    for params in ({"status": "LOST"}, {"attempts": -1}, {"templateKey": "BIRTHDAY"}):
        response = await communication.post(
            "/_pact/provider-states", json={"state": "an email was queued", "params": params}
        )
        assert_error(response, 400, "VALIDATION_ERROR")
    response = await communication.post(
        "/_pact/provider-states", json={"state": "a user can receive email", "params": {"email": "nope"}}
    )
    assert_error(response, 400, "VALIDATION_ERROR")


async def test_teardown_forgets_every_seeded_user_and_message(communication: httpx.AsyncClient) -> None:
    await set_state(communication, "a user can receive email", userId="7")
    await set_state(communication, "an email was queued", messageId="m-1")

    teardown = await communication.post("/_pact/provider-states", json={"state": "", "action": "teardown"})

    assert teardown.status_code == 200
    assert_error(await communication.get("/internal/emails/m-1"), 404, "NOT_FOUND")
    unresolved = await communication.post(
        "/internal/emails/send", json={**email_to(), "to": {"userId": "7"}}, headers={"Idempotency-Key": "k"}
    )
    assert_error(unresolved, 503, "UPSTREAM_UNAVAILABLE")  # no user service in this test: nothing to ask
