"""One broker access for every entry point: from flags, else the variables the official clients read."""

from __future__ import annotations

import pytest

from solo60.harness.broker_access import BrokerAccess, BrokerAccessError

ENV = {
    "PACT_BROKER_BASE_URL": "https://broker.example/",
    "PACT_BROKER_USERNAME": "ci",
    "PACT_BROKER_PASSWORD": "ci-secret",
}


def test_the_environment_gives_url_and_basic_auth_when_no_flag_does() -> None:
    access = BrokerAccess.resolve(environ=ENV)

    assert access == BrokerAccess("https://broker.example", username="ci", password="ci-secret")
    assert access.verifier_credentials() == {"use_env": False, "username": "ci", "password": "ci-secret"}


def test_flags_win_and_credentials_given_as_flags_replace_the_environments_as_a_whole() -> None:
    access = BrokerAccess.resolve("http://127.0.0.1:9292", token="t0k3n", environ=ENV)

    assert access == BrokerAccess("http://127.0.0.1:9292", token="t0k3n")
    assert access.verifier_credentials() == {"use_env": False, "token": "t0k3n"}
    assert access.environment() == {"PACT_BROKER_BASE_URL": "http://127.0.0.1:9292", "PACT_BROKER_TOKEN": "t0k3n"}


def test_no_url_is_no_broker_unless_one_is_required() -> None:
    assert BrokerAccess.resolve(environ={}) is None
    with pytest.raises(BrokerAccessError, match="no broker URL: give --broker-url or set PACT_BROKER_BASE_URL"):
        BrokerAccess.require(environ={})


@pytest.mark.parametrize(
    ("arguments", "environ", "message"),
    [
        ({"token": "t", "username": "u", "password": "p"}, {}, "not both"),
        ({"username": "u"}, {}, "needs a password"),
        ({"password": "p"}, {}, "needs a username"),
        ({}, {**ENV, "PACT_BROKER_TOKEN": "t"}, "not both"),
        ({"url": "broker.example"}, {}, "must be an http(s) URL"),
    ],
)
def test_a_contradictory_or_incomplete_access_is_refused_saying_what_is_wrong(
    arguments: dict[str, str], environ: dict[str, str], message: str
) -> None:
    url = arguments.pop("url", "http://127.0.0.1:9292")
    with pytest.raises(BrokerAccessError, match=message.replace("(", r"\(").replace(")", r"\)")):
        BrokerAccess.resolve(url, environ=environ, **arguments)


def test_credentials_without_a_url_are_a_mistake_not_a_local_run() -> None:
    with pytest.raises(BrokerAccessError, match="no broker URL"):
        BrokerAccess.resolve(username="ci", password="x", environ={})


def test_messages_name_the_broker_and_who_we_are_never_the_secret() -> None:
    assert BrokerAccess("http://b", username="ci", password="s3cret").described == "http://b (as ci)"
    assert "s3cret" not in BrokerAccess("http://b", token="s3cret").described
