"""Pacts pin the shape of what consumers rely on, not the example values."""

from __future__ import annotations

from datetime import UTC, datetime

from solo60.contracts.user import Role, User, UserStatus
from solo60.harness.made.matchers import shape_of


def example() -> User:
    moment = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    return User(
        id="123",
        email="ada@example.com",
        name="Ada",
        roles=[Role.MEMBER],
        status=UserStatus.ACTIVE,
        email_verified=False,
        created_at=moment,
        updated_at=moment,
    )


def rule(matcher) -> dict:
    return matcher.to_integration_json()


def test_the_shape_uses_wire_names_and_skips_fields_the_example_leaves_empty() -> None:
    shape = shape_of(example())
    assert set(shape) == {"id", "email", "name", "roles", "status", "emailVerified", "createdAt", "updatedAt"}


def test_enums_accept_any_member_and_times_any_rfc3339_offset() -> None:
    shape = shape_of(example())
    assert rule(shape["status"])["regex"] == "^(ACTIVE|SUSPENDED)$"
    assert rule(shape["createdAt"])["format"] == "yyyy-MM-dd'T'HH:mm:ssXXX"
    assert rule(shape["createdAt"])["value"] == "2025-01-02T03:04:05Z"


def test_lists_need_at_least_one_element_so_an_empty_answer_fails_verification() -> None:
    assert rule(shape_of(example())["roles"])["min"] == 1
