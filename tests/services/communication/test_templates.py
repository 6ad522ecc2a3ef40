"""The mail templates: one per key of the contract, using exactly the variables the contract names."""

from __future__ import annotations

import pytest

from solo60.contracts.communication import TEMPLATE_VARIABLES, CommunicationServiceContract, TemplateKey
from solo60.contracts.openapi import openapi_document
from solo60.services.communication import templates

DESIGNED_KEYS = {
    "SESSION_APPROVAL_REQUEST",
    "SESSION_APPROVED",
    "SESSION_REJECTED",
    "SESSION_CANCELLED",
    "GUEST_INVITATION",
    "NOISE_WARNING",
    "SPOT_AVAILABLE",
    "SUBSCRIPTION_ACTIVATED",
    "SUBSCRIPTION_EXPIRED",
    "PAYMENT_SUCCESS",
    "PAYMENT_FAILED",
    "RENEWAL_REMINDER",
    "TRIAL_ENDING",
    "EMAIL_CONFIRMATION",
    "PASSWORD_RESET",
    "PASSWORD_RESET_CONFIRMATION",
    "ACCOUNT_VERIFICATION",
}


def test_every_template_of_the_design_exists() -> None:
    assert {key.value for key in TemplateKey} >= DESIGNED_KEYS
    assert set(templates.TEMPLATES) == set(TemplateKey) == set(TEMPLATE_VARIABLES)


@pytest.mark.parametrize("key", list(TemplateKey))
def test_a_template_uses_exactly_the_variables_the_contract_names(key: TemplateKey) -> None:
    template = templates.TEMPLATES[key]
    declared = TEMPLATE_VARIABLES[key]

    assert template.placeholders == set(declared.required) | set(declared.optional)
    assert set(template.defaults) == set(declared.optional)


@pytest.mark.parametrize("key", list(TemplateKey))
def test_a_template_renders_from_its_required_variables_alone(key: TemplateKey) -> None:
    variables = {name: f"[{name}]" for name in TEMPLATE_VARIABLES[key].required}

    mail = templates.render(key, variables)

    assert mail.subject
    assert "\n" not in mail.subject
    assert "$" not in mail.subject + mail.body
    assert mail.body.startswith("Hello there,")
    for value in variables.values():
        assert value in mail.subject + mail.body


def test_a_missing_variable_is_named_and_every_missing_one_is_listed() -> None:
    with pytest.raises(templates.MissingVariables) as raised:
        templates.render(TemplateKey.GUEST_INVITATION, {"gymName": "Field Street Gym"})

    assert raised.value.names == ["hostName", "startsAt"]
    assert "GUEST_INVITATION" in str(raised.value)


def test_optional_variables_replace_their_defaults_and_values_read_naturally() -> None:
    mail = templates.render(
        TemplateKey.SESSION_REJECTED,
        {"gymName": "Field Street Gym", "startsAt": "Friday 18:00", "reason": "the gym is closed", "name": "Ada"},
    )
    flag = templates.render(TemplateKey.PAYMENT_SUCCESS, {"credits": 12, "planName": True})

    assert mail.body.startswith("Hello Ada,")
    assert "Reason: the gym is closed" in mail.body
    assert flag.subject == "12 credits added to your balance"
    assert "for yes." in flag.body


def test_control_characters_in_a_variable_never_reach_the_subject_line() -> None:
    mail = templates.render(TemplateKey.SESSION_APPROVED, {"gymName": "A\r\nBcc: x@y.z\x00", "startsAt": "now"})

    assert mail.subject == "Your session at A Bcc: x@y.z is approved"


def test_the_openapi_document_lists_every_template_key_and_its_variables() -> None:
    document = openapi_document(CommunicationServiceContract)

    assert set(document["components"]["schemas"]["TemplateKey"]["enum"]) == {key.value for key in TemplateKey}
    description = document["paths"]["/internal/emails/send"]["post"]["description"]
    for key, declared in TEMPLATE_VARIABLES.items():
        assert f"`{key.value}`" in description
        for name in declared.required:
            assert f"`{name}`" in description
