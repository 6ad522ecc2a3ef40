"""Rotating keys through the keys file: rewriting it never narrows the accepted set by accident.

An operator who rewrites the file in place (truncate, then write) must not cost a single call
made with a key present in every version; an empty or half-written file is never applied; a
key removed on purpose stops working once the file has settled.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path

from solo60.services.kit.service_keys import KeysFile, ServiceKeys
from tests.helpers import assert_error

USER = "/internal/users/123"
VERSIONS = ("always\nfirst-only\n", "second-only\nalways\n")


def _rewrite_in_place(path: Path, text: str) -> None:
    """What an editor or `echo > file` does: truncate, then write (here in two flushed halves)."""
    with path.open("w") as handle:
        handle.flush()
        time.sleep(0.0005)  # the file is empty now
        half = len(text) // 2
        handle.write(text[:half])
        handle.flush()
        time.sleep(0.0005)  # half written: a key cut in the middle
        handle.write(text[half:])


async def test_rewriting_the_keys_file_in_place_never_refuses_a_key_in_every_version(serve, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.write_text(VERSIONS[0])
    stop = threading.Event()
    rewrites = 0

    def rotate() -> None:
        nonlocal rewrites
        while not stop.is_set():
            _rewrite_in_place(keys, VERSIONS[rewrites % 2])
            rewrites += 1

    environ = {"SERVICE_API_KEYS_FILE": str(keys), "SERVICE_API_KEYS": "static-key"}
    async with serve("user", environ=environ) as client:
        writer = threading.Thread(target=rotate, daemon=True)
        writer.start()
        statuses: list[int] = []
        deadline = time.monotonic() + 30
        # until both sides did enough: on a loaded machine the writer may get few turns at first
        while (len(statuses) < 300 or rewrites < 50) and time.monotonic() < deadline:
            statuses.append((await client.get(USER, headers={"x-api-key": "always"})).status_code)
            await asyncio.sleep(0)
        stop.set()
        writer.join(timeout=10)
    assert rewrites >= 50
    assert len(statuses) >= 100
    refused = statuses.count(401)
    assert refused == 0, f"{refused} of {len(statuses)} calls refused during {rewrites} rewrites"


async def test_an_emptied_keys_file_is_ignored_and_a_filled_one_applies(serve, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.write_text("first\n")
    environ = {"SERVICE_API_KEYS_FILE": str(keys), "SERVICE_API_KEYS_SETTLE_SECONDS": "0.1"}
    async with serve("user", environ=environ) as client:
        keys.write_text("")
        os.utime(keys, (1, 1))
        await asyncio.sleep(0.2)
        await client.get(USER, headers={"x-api-key": "first"})  # sees the empty file settle
        await asyncio.sleep(0.2)
        still = await client.get(USER, headers={"x-api-key": "first"})
        keys.write_text("second\n")
        os.utime(keys, (2, 2))
        added = await client.get(USER, headers={"x-api-key": "second"})
        await client.get(USER, headers={"x-api-key": "second"})
        await asyncio.sleep(0.2)
        await client.get(USER, headers={"x-api-key": "second"})
        retired = await client.get(USER, headers={"x-api-key": "first"})
    assert_error(still, 404, "NOT_FOUND")
    assert_error(added, 404, "NOT_FOUND")
    assert_error(retired, 401, "UNAUTHORIZED")


def test_a_half_written_line_is_not_a_key_until_the_file_settles(tmp_path: Path) -> None:
    now = [0.0]
    keys = tmp_path / "keys"
    keys.write_text("session:kept\n")
    following = KeysFile(keys, settle_seconds=2.0, clock=lambda: now[0])
    keys.write_text("session:kept\nuser:cut-in-the-mi")  # the writer has not finished
    os.utime(keys, (1, 1))
    assert {entry.key for entry in following.entries()} == {b"kept"}
    now[0] = 3.0  # nobody touched it for longer than the settle time: it is what the operator wrote
    assert {entry.key for entry in following.entries()} == {b"kept", b"cut-in-the-mi"}


def test_a_file_that_names_one_key_for_two_callers_is_not_applied(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.write_text("session:one\n")
    accepted = ServiceKeys((), keys, settle_seconds=0)
    keys.write_text("session:one\nuser:one\n")
    os.utime(keys, (1, 1))
    caller = accepted.identify(b"one")
    assert caller is not None
    assert caller.name == "session"
