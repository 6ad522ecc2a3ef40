"""A producing service serves its AsyncAPI document and renders it, offline, beside its OpenAPI docs."""

from __future__ import annotations

import pytest

from solo60.contracts.events.asyncapi import asyncapi_document


@pytest.mark.parametrize("service", ["session", "subscription"])
async def test_a_producer_serves_its_asyncapi_document_and_a_page_of_its_events(serve, service: str) -> None:
    async with serve(service) as client:
        document = await client.get("/internal/asyncapi.json")
        page = await client.get("/internal/events")

    assert document.status_code == 200
    assert document.json() == asyncapi_document(service)
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "<script" not in page.text
    assert "://" not in page.text  # nothing from elsewhere: links stay on the service
    for name in document.json()["channels"]:
        assert f"<h2 id='{name}'>{name}</h2>" in page.text


async def test_the_session_events_page_lists_each_payload_field_with_its_type(serve) -> None:
    async with serve("session") as client:
        page = (await client.get("/internal/events")).text

    assert "<td><code>gym.adminEmail</code></td><td>string</td><td>yes</td>" in page
    assert "<td><code>guestsToTell[].email</code></td>" in page


async def test_a_service_that_publishes_nothing_has_no_event_docs(serve) -> None:
    async with serve("gym") as client:
        assert (await client.get("/internal/events")).status_code == 404
        assert (await client.get("/internal/asyncapi.json")).status_code == 404
