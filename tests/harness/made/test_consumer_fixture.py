"""A consumer test cannot pass without writing the pact it declared."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

SWALLOWED = """
import pytest
from solo60.clients import UserClient
from solo60.harness.made.matchers import error_body
from solo60.contracts.errors import ErrorCode

CONSUMER, PROVIDER = "auth", "user"

async def test_an_exception_caught_outside_the_client(contract):
    (contract.request("a lookup", "GET", "/internal/users/1")
        .will_respond_with(404).with_body(error_body(ErrorCode.NOT_FOUND), content_type="application/json"))
    with pytest.raises(Exception):
        async with contract.client(UserClient) as users:
            await users.get_user("1")
"""


def test_a_test_whose_client_never_finished_against_the_mock_fails(pytester: pytest.Pytester) -> None:
    pytester.makeconftest((ROOT / "conftest.py").read_text())
    consumers = pytester.mkdir("consumers")
    (consumers / "conftest.py").write_text((ROOT / "consumers" / "conftest.py").read_text())
    (consumers / "test_swallowed.py").write_text(SWALLOWED)
    pytester.makeini("[pytest]\nasyncio_mode = auto\n")

    result = pytester.runpytest_subprocess("consumers", "--pacts-dir", str(pytester.path / "pacts"), "-p", "asyncio")

    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*1 interaction(s) declared but no pact written*"])
    assert not list((pytester.path / "pacts").glob("*.json"))
