"""The communication service's routes: what reaches the mail server, what is recorded, and every refusal."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.helpers import assert_error, set_state
from tests.services.communication.smtp_server import SmtpServer, email_to, eventually

SEND = "/internal/emails/send"
SEND_ASYNC = "/internal/emails/send-async"
NOTIFY = "/internal/notifications/system"


def key(value: str) -> dict[str, str]:
    return {"Idempotency-Key": value}


async def status_of(communication: httpx.AsyncClient, message_id: str) -> dict:
    response = await communication.get(f"/internal/emails/{message_id}")
    assert response.status_code == 200, response.text
    return response.json()


# -- sending now ----------------------------------------------------------------------------


async def test_a_mail_sent_now_arrives_with_its_subject_body_and_a_message_id_from_its_id(
    communication: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    response = await communication.post(SEND, json=email_to("ada@example.com"), headers=key("k-1"))

    assert response.status_code == 201, response.text
    sent = response.json()
    assert (sent["status"], sent["attempts"], sent["templateKey"]) == ("SENT", 1, "SESSION_APPROVED")
    assert sent["sentAt"].endswith("Z")
    [mail] = smtp.received
    assert mail.envelope_to == ["ada@example.com"]
    assert mail.subject == "Your session at Field Street Gym is approved"
    assert "approved your session starting 2025-01-02 18:00" in mail.body
    assert mail.message_id == f"<{sent['messageId']}@solo60.test>"
    assert mail.message["From"] == "Solo60 <no-reply@solo60.test>"
    assert await status_of(communication, sent["messageId"]) == sent


async def test_a_mail_to_a_user_goes_to_the_address_the_user_has(
    communication: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    await set_state(communication, "a user can receive email", userId="42", email="grace@example.com")

    body = {**email_to(), "to": {"userId": "42"}}
    response = await communication.post(SEND, json=body, headers=key("k-1"))

    assert response.status_code == 201, response.text
    assert [mail.envelope_to for mail in smtp.received] == [["grace@example.com"]]


async def test_a_mail_to_an_unknown_user_is_not_found_and_nothing_is_sent(
    communication: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    await set_state(communication, "a user does not exist", userId="999")

    body = assert_error(
        await communication.post(SEND, json={**email_to(), "to": {"userId": "999"}}, headers=key("k-1")),
        404,
        "NOT_FOUND",
    )

    assert "999" in body.message
    assert smtp.received == []


async def test_when_the_mail_server_is_down_sending_now_is_503_and_nothing_is_recorded_as_sent(
    communication: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    await smtp.stop()
    down = await communication.post(SEND, json=email_to(), headers=key("k-1"))
    await smtp.start()
    retried = await communication.post(SEND, json=email_to(), headers=key("k-1"))

    assert_error(down, 503, "UPSTREAM_UNAVAILABLE")
    assert retried.status_code == 201, retried.text
    assert "idempotent-replayed" not in retried.headers  # the failure consumed nothing: this is the first success
    assert len(smtp.received) == 1


async def test_a_recipient_the_mail_server_refuses_for_good_is_a_400_naming_the_recipient(
    communication: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    smtp.mailbox.refuse["gone@example.com"] = "550 5.1.1 No such mailbox"

    body = assert_error(
        await communication.post(SEND, json=email_to("gone@example.com"), headers=key("k-1")), 400, "VALIDATION_ERROR"
    )

    assert body.details is not None
    assert [detail.field for detail in body.details] == ["body.to"]
    assert "550" in body.message


# -- idempotency ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [SEND, SEND_ASYNC])
async def test_a_repeated_send_with_the_same_key_answers_the_first_result_and_mails_once(
    communication: httpx.AsyncClient, smtp: SmtpServer, path: str
) -> None:
    first = await communication.post(path, json=email_to(), headers=key("same"))
    again = await communication.post(path, json=email_to(), headers=key("same"))
    other = await communication.post(path, json=email_to(), headers=key("other"))

    assert first.json() == again.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert other.json()["messageId"] != first.json()["messageId"]
    await eventually(lambda: _arrived(smtp, 2), what="two mails")
    await asyncio.sleep(0.2)  # give a wrongly repeated delivery the time to show up
    assert sorted(mail.outbox_id for mail in smtp.received) == sorted(
        [first.json()["messageId"], other.json()["messageId"]]
    )


@pytest.mark.parametrize("path", [SEND, SEND_ASYNC])
async def test_concurrent_sends_with_one_key_deliver_one_mail(
    communication: httpx.AsyncClient, smtp: SmtpServer, path: str
) -> None:
    responses = await asyncio.gather(
        *(communication.post(path, json=email_to(), headers=key("race")) for _ in range(8))
    )

    assert {response.status_code for response in responses} == {201 if path == SEND else 202}
    assert len({response.json()["messageId"] for response in responses}) == 1
    await eventually(lambda: _arrived(smtp, 1), what="the mail")
    await asyncio.sleep(0.2)
    assert len(smtp.received) == 1


@pytest.mark.parametrize("path", [SEND, SEND_ASYNC])
async def test_the_same_key_with_another_mail_is_refused(communication: httpx.AsyncClient, path: str) -> None:
    await communication.post(path, json=email_to("ada@example.com"), headers=key("k-1"))

    assert_error(
        await communication.post(path, json=email_to("bob@example.com"), headers=key("k-1")),
        422,
        "IDEMPOTENCY_KEY_REUSED",
    )


@pytest.mark.parametrize("path", [SEND, SEND_ASYNC])
async def test_a_send_without_an_idempotency_key_is_refused(
    communication: httpx.AsyncClient, smtp: SmtpServer, path: str
) -> None:
    body = assert_error(await communication.post(path, json=email_to()), 400, "VALIDATION_ERROR")

    assert body.details is not None
    assert body.details[0].field == "header.Idempotency-Key"
    assert smtp.received == []


# -- sending in the background --------------------------------------------------------------


async def test_a_queued_mail_is_accepted_at_once_and_delivered_in_the_background(
    communication: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    response = await communication.post(SEND_ASYNC, json=email_to("ada@example.com"), headers=key("k-1"))

    assert response.status_code == 202, response.text
    message_id = response.json()["messageId"]
    assert response.json()["status"] == "QUEUED"
    delivered = await eventually(
        lambda: _status_if(communication, message_id, "SENT"), within=10, what="the queued mail to be sent"
    )
    assert delivered["attempts"] == 1
    assert delivered["sentAt"].endswith("Z")
    [mail] = smtp.received
    assert mail.envelope_to == ["ada@example.com"]
    assert mail.outbox_id == message_id


async def test_a_queued_mail_to_an_unknown_user_fails_at_once_with_the_reason(
    communication: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    await set_state(communication, "a user does not exist", userId="999")

    response = await communication.post(SEND_ASYNC, json={**email_to(), "to": {"userId": "999"}}, headers=key("k"))

    assert response.status_code == 202
    failed = await eventually(lambda: _status_if(communication, response.json()["messageId"], "FAILED"), within=10)
    assert failed["attempts"] == 1
    assert "999" in failed["lastError"]
    assert smtp.received == []


# -- reading a message ----------------------------------------------------------------------


async def test_reading_an_unknown_message_is_not_found(communication: httpx.AsyncClient) -> None:
    assert_error(await communication.get("/internal/emails/no-such-message"), 404, "NOT_FOUND")


async def test_reading_a_message_with_an_impossible_id_is_a_400(communication: httpx.AsyncClient) -> None:
    assert_error(await communication.get("/internal/emails/%20bad%20id"), 400, "VALIDATION_ERROR")


# -- refusals of a malformed mail -----------------------------------------------------------


async def test_an_unknown_template_is_refused_naming_the_field(communication: httpx.AsyncClient) -> None:
    body = assert_error(
        await communication.post(SEND, json={**email_to(), "templateKey": "BIRTHDAY"}, headers=key("k")),
        400,
        "VALIDATION_ERROR",
    )
    assert body.details is not None
    assert [detail.field for detail in body.details] == ["body.templateKey"]


@pytest.mark.parametrize("path", [SEND, SEND_ASYNC])
async def test_a_missing_template_variable_is_refused_naming_it(
    communication: httpx.AsyncClient, smtp: SmtpServer, path: str
) -> None:
    body = {"templateKey": "SESSION_APPROVED", "to": {"email": "ada@example.com"}, "variables": {"gymName": "G"}}

    error = assert_error(await communication.post(path, json=body, headers=key("k")), 400, "VALIDATION_ERROR")

    assert error.details is not None
    assert [detail.field for detail in error.details] == ["body.variables.startsAt"]
    assert "startsAt" in error.message
    assert smtp.received == []


@pytest.mark.parametrize(
    "to",
    [
        {},
        {"userId": "42", "email": "ada@example.com"},
        {"email": "not-an-address"},
        {"email": "two@example.com, three@example.com"},
        {"email": "ada@example.com\r\nBcc: eve@example.com"},
        {"userId": "has space"},
        "ada@example.com",
    ],
    ids=["neither", "both", "no-at", "two-addresses", "header-injection", "bad-user-id", "bare-string"],
)
async def test_a_recipient_must_be_exactly_one_user_id_or_one_plain_address(
    communication: httpx.AsyncClient, to: object
) -> None:
    response = await communication.post(SEND, json={**email_to(), "to": to}, headers=key("k"))

    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body.details is not None
    assert all(detail.field.startswith("body.to") for detail in body.details)


@pytest.mark.parametrize(
    "variables",
    [
        {"gymName": ["a list"], "startsAt": "x"},
        {"gymName": {"nested": 1}, "startsAt": "x"},
        {"gymName": "x" * 2001, "startsAt": "x"},
        {"bad name": "x", "gymName": "G", "startsAt": "x"},
        {f"v{i}": "x" for i in range(51)},
        {"gymName": "a\u0000b", "startsAt": "x"},
        {"gymName": "bell\u0007", "startsAt": "x"},
        {"gymName": 10**16, "startsAt": "x"},
    ],
    ids=["list", "object", "too-long", "bad-name", "too-many", "nul", "control-character", "huge-number"],
)
async def test_variables_are_short_printable_scalars_with_plain_names(
    communication: httpx.AsyncClient, smtp: SmtpServer, variables: dict
) -> None:
    body = {"templateKey": "SESSION_APPROVED", "to": {"email": "ada@example.com"}, "variables": variables}
    for path in (SEND, SEND_ASYNC):
        assert_error(await communication.post(path, json=body, headers=key("k")), 400, "VALIDATION_ERROR")
    assert smtp.received == []


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity", b"1e999", b"9" * 5000])
async def test_a_number_json_cannot_carry_is_refused(communication: httpx.AsyncClient, number: bytes) -> None:
    raw = b'{"templateKey": "SESSION_APPROVED", "to": {"email": "a@example.com"}, "variables": {"gymName": '
    raw += number + b', "startsAt": "x"}}'
    response = await communication.post(SEND, content=raw, headers={**key("k"), "content-type": "application/json"})
    assert_error(response, 400, "VALIDATION_ERROR")


async def test_a_number_is_written_out_in_the_mail(communication: httpx.AsyncClient, smtp: SmtpServer) -> None:
    body = {"templateKey": "PAYMENT_SUCCESS", "to": {"email": "a@example.com"}, "variables": {"credits": 12.5}}
    assert (await communication.post(SEND, json=body, headers=key("k"))).status_code == 201
    assert smtp.received[0].subject == "12.5 credits added to your balance"


async def test_a_variable_cannot_break_the_subject_onto_a_new_header(
    communication: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    body = email_to(gymName="Gym\r\nBcc: eve@example.com")

    response = await communication.post(SEND, json=body, headers=key("k"))

    assert response.status_code == 201, response.text
    [mail] = smtp.received
    assert mail.envelope_to == ["ada@example.com"]
    assert mail.message["Bcc"] is None
    assert mail.subject == "Your session at Gym Bcc: eve@example.com is approved"


async def test_a_body_that_is_not_a_json_object_is_refused(communication: httpx.AsyncClient) -> None:
    headers = {**key("k"), "content-type": "application/json"}
    assert_error(await communication.post(SEND, content=b"{not json", headers=headers), 400, "VALIDATION_ERROR")
    assert_error(await communication.post(SEND, content=b"", headers=headers), 400, "VALIDATION_ERROR")
    assert_error(await communication.post(SEND, content=b"x=1", headers=key("k")), 415, "UNSUPPORTED_MEDIA_TYPE")
    assert_error(
        await communication.post(SEND, content=b'{"x": "' + b"y" * 1_100_000 + b'"}', headers=headers),
        413,
        "PAYLOAD_TOO_LARGE",
    )


# -- notifications --------------------------------------------------------------------------


async def test_a_system_notification_is_stored_for_the_user(communication: httpx.AsyncClient) -> None:
    response = await communication.post(
        NOTIFY,
        json={
            "userId": "42",
            "category": "SESSION_APPROVED",
            "title": "  Approved  ",
            "message": "Your session is approved.",
            "data": {"sessionId": "s-1"},
        },
    )

    assert response.status_code == 201, response.text
    notice = response.json()
    assert notice["id"]
    assert (notice["userId"], notice["category"], notice["title"]) == ("42", "SESSION_APPROVED", "Approved")
    assert notice["data"] == {"sessionId": "s-1"}
    assert notice["readAt"] is None
    assert notice["createdAt"].endswith("Z")


@pytest.mark.parametrize(
    "body",
    [
        {"title": "T", "message": "M"},
        {"userId": "42", "title": "", "message": "M"},
        {"userId": "42", "title": "T", "message": "M", "category": "lower case"},
        {"userId": "42", "title": "T", "message": "x" * 2001},
        {"userId": "42", "title": "T", "message": "M", "data": {"k": 1}},
        {"userId": "42", "title": "T", "message": "M", "urgent": True},
        {"userId": "42", "title": "T\u0000", "message": "M"},
        {"userId": "42", "title": "T", "message": "M", "data": {"k": "\u0000"}},
    ],
    ids=[
        "no-user",
        "empty-title",
        "bad-category",
        "long-message",
        "non-string-data",
        "unknown-field",
        "nul",
        "nul-data",
    ],
)
async def test_a_malformed_notification_is_refused(communication: httpx.AsyncClient, body: dict) -> None:
    assert_error(await communication.post(NOTIFY, json=body), 400, "VALIDATION_ERROR")


# -- service auth ---------------------------------------------------------------------------


async def test_a_caller_without_an_accepted_key_is_refused_and_nothing_is_sent(
    communication: httpx.AsyncClient, smtp: SmtpServer
) -> None:
    request = communication.build_request("POST", SEND, json=email_to(), headers=key("k"))
    del request.headers["x-api-key"]
    missing = await communication.send(request)
    wrong = await communication.post(SEND, json=email_to(), headers={**key("k"), "x-api-key": "not-the-key"})
    reading = await communication.get("/internal/emails/m-1", headers={"x-api-key": "not-the-key"})

    assert_error(missing, 401, "UNAUTHORIZED")
    assert_error(wrong, 401, "UNAUTHORIZED")
    assert_error(reading, 401, "UNAUTHORIZED")
    assert smtp.received == []


async def _arrived(smtp: SmtpServer, count: int) -> bool:
    return len(smtp.received) >= count


async def _status_if(communication: httpx.AsyncClient, message_id: str, status: str) -> dict | None:
    found = await status_of(communication, message_id)
    return found if found["status"] == status else None
