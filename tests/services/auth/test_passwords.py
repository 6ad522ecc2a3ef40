"""Password hashes: salted scrypt that verifies only the right password and survives cost changes."""

from __future__ import annotations

import pytest

from solo60.services.auth import passwords


def test_a_hash_verifies_the_password_it_was_made_from_and_nothing_else() -> None:
    stored = passwords.hash_password_now("correct horse battery")

    assert passwords.password_matches_now("correct horse battery", stored)
    assert not passwords.password_matches_now("correct horse batterY", stored)
    assert "correct horse battery" not in stored


def test_the_same_password_hashes_differently_each_time() -> None:
    assert passwords.hash_password_now("correct horse battery") != passwords.hash_password_now("correct horse battery")


def test_a_hash_made_with_an_older_cost_still_verifies_and_asks_to_be_upgraded() -> None:
    cheaper = passwords.ScryptCost(n=2**10, r=8, p=1)
    stored = passwords.hash_password_now("correct horse battery", cheaper)

    assert passwords.password_matches_now("correct horse battery", stored)
    assert passwords.needs_rehash(stored)
    assert not passwords.needs_rehash(passwords.hash_password_now("correct horse battery"))


@pytest.mark.parametrize("damaged", ["", "plain", "bcrypt$1$2$3$abc$def", "scrypt$x$8$1$abc$def", "scrypt$3$8$1$a$b"])
def test_a_damaged_hash_never_matches(damaged: str) -> None:
    assert not passwords.password_matches_now("anything at all", damaged)


@pytest.mark.parametrize("password", ["short", "x" * 1025])
def test_a_password_too_short_or_too_long_is_refused(password: str) -> None:
    with pytest.raises(passwords.WeakPassword):
        passwords.hash_password_now(password)
