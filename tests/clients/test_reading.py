"""Clients read answers tolerantly and, while recording, note which fields the code reads."""

from __future__ import annotations

import json

import pytest

from solo60.clients import UnsentField
from solo60.clients._reading import parse, recording
from solo60.contracts.session import Session, SessionList

PAGE = {
    "page": 1,
    "pageSize": 20,
    "total": 1,
    "sessions": [{"id": "s-1", "userId": "123", "gymId": "gym-1", "status": "CONFIRMED", "guests": []}],
}


def parsed(body: dict) -> SessionList:
    found = parse(SessionList, json.dumps(body).encode(), method="GET", url="http://session/x", status=200)
    assert isinstance(found, SessionList)
    return found


def test_an_answer_without_fields_the_code_never_reads_is_accepted() -> None:
    page = parsed(PAGE)

    assert isinstance(page.sessions[0], Session)
    assert page.sessions[0].status == "CONFIRMED"
    with pytest.raises(UnsentField, match="Session has no 'startsAt'"):
        _ = page.sessions[0].starts_at


def test_a_field_of_the_wrong_type_is_still_refused() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        parsed({**PAGE, "total": "many"})


def test_a_tolerant_answer_equals_the_contract_model_with_the_same_values() -> None:
    complete = {**PAGE, "sessions": []}
    assert parsed(complete) == SessionList.model_validate(complete)


def test_recording_notes_each_field_read_by_its_wire_path() -> None:
    with recording() as recorder:
        page = parsed(PAGE)
        assert page.total == 1
        assert [session.gym_id for session in page.sessions] == ["gym-1"]

    (log,) = recorder.logs
    assert log.read == {"total", "sessions", "sessions[].gymId"}
    assert log.models == {"", "sessions[]"}
    assert log.whole == set()


def test_serialising_a_model_marks_it_used_whole() -> None:
    with recording() as recorder:
        page = parsed(PAGE)
        page.sessions[0].model_dump()

    assert recorder.logs[0].whole == {"sessions[]"}


def test_without_recording_nothing_is_noted() -> None:
    page = parsed(PAGE)
    assert page.total == 1
    assert type(page).__name__ == "TolerantSessionList"
