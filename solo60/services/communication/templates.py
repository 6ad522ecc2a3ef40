"""The mail templates: a subject and a plain-text body per template key, with `${variable}` placeholders.

Which variables a template needs is part of the contract (`TEMPLATE_VARIABLES`); the
placeholders here must be exactly those, and every optional one has a default that reads
well when the caller leaves it out. `string.Template` substitutes values and nothing else:
no attribute access or formatting mini-language reaches a caller's value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from string import Template

from solo60.contracts.communication import TEMPLATE_VARIABLES, TemplateKey

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class MailTemplate:
    subject: str
    body: str
    defaults: Mapping[str, str] = field(default_factory=lambda: {"name": "there"})

    @property
    def placeholders(self) -> set[str]:
        return set(Template(self.subject).get_identifiers()) | set(Template(self.body).get_identifiers())


@dataclass(frozen=True)
class RenderedMail:
    template_key: TemplateKey
    subject: str
    body: str


class MissingVariables(ValueError):
    """The caller left out variables the template needs."""

    def __init__(self, template_key: TemplateKey, names: list[str]) -> None:
        super().__init__(f"template {template_key.value} needs the variable(s) {', '.join(names)}")
        self.template_key = template_key
        self.names = names


SIGNATURE = "\n\n— The Solo60 team\n"

TEMPLATES: dict[TemplateKey, MailTemplate] = {
    TemplateKey.SESSION_APPROVAL_REQUEST: MailTemplate(
        subject="Approval needed: ${memberName} at ${gymName} on ${startsAt}",
        body=(
            "Hello ${name},\n\n${memberName} booked a session at ${gymName} starting ${startsAt} "
            "(guests: ${guests}).\nThe gym asks for approval before a session is confirmed: please approve "
            "or reject session ${sessionId} in the Solo60 admin."
        ),
        defaults={"name": "there", "guests": "none"},
    ),
    TemplateKey.SESSION_APPROVED: MailTemplate(
        subject="Your session at ${gymName} is approved",
        body="Hello ${name},\n\nGood news: ${gymName} approved your session starting ${startsAt}. See you there!",
    ),
    TemplateKey.SESSION_REJECTED: MailTemplate(
        subject="Your session at ${gymName} was not approved",
        body=(
            "Hello ${name},\n\n${gymName} could not approve your session starting ${startsAt}.\n"
            "Reason: ${reason}\nYour credits have been returned to your balance."
        ),
        defaults={"name": "there", "reason": "no reason was given"},
    ),
    TemplateKey.SESSION_CANCELLED: MailTemplate(
        subject="Session at ${gymName} on ${startsAt} cancelled",
        body=(
            "Hello ${name},\n\nThe session at ${gymName} starting ${startsAt} has been cancelled.\nReason: ${reason}"
        ),
        defaults={"name": "there", "reason": "the member cancelled it"},
    ),
    TemplateKey.GUEST_INVITATION: MailTemplate(
        subject="${hostName} invited you to train at ${gymName}",
        body=(
            "Hello ${name},\n\n${hostName} invited you to a session at ${gymName} starting ${startsAt}.\n"
            "Just show up on time; your host has booked the slot."
        ),
    ),
    TemplateKey.NOISE_WARNING: MailTemplate(
        subject="Please keep the noise down at ${gymName}",
        body=(
            "Hello ${name},\n\n${gymName} is a noise-sensitive gym. During your session starting ${startsAt}, "
            "please avoid dropping weights and keep music to headphones. Thank you!"
        ),
    ),
    TemplateKey.SPOT_AVAILABLE: MailTemplate(
        subject="A spot opened up at ${gymName}",
        body=(
            "Hello ${name},\n\nA spot is now free at ${gymName} for the session starting ${startsAt}, "
            "which you were waiting for. Book it soon: the first to book gets it."
        ),
    ),
    TemplateKey.SUBSCRIPTION_ACTIVATED: MailTemplate(
        subject="Welcome to ${planName}",
        body=(
            "Hello ${name},\n\nYour ${planName} subscription is active. You receive ${monthlyCredits} credits "
            "every month.\nNext renewal: ${renewsAt}."
        ),
        defaults={"name": "there", "renewsAt": "in one month"},
    ),
    TemplateKey.SUBSCRIPTION_EXPIRED: MailTemplate(
        subject="Your ${planName} subscription has ended",
        body=(
            "Hello ${name},\n\nYour ${planName} subscription ended on ${endedAt}. Credits you still hold stay "
            "usable; subscribe again any time to receive new ones."
        ),
    ),
    TemplateKey.PAYMENT_SUCCESS: MailTemplate(
        subject="${credits} credits added to your balance",
        body="Hello ${name},\n\nYour payment went through and ${credits} credits were added for ${planName}.",
        defaults={"name": "there", "planName": "your subscription"},
    ),
    TemplateKey.PAYMENT_FAILED: MailTemplate(
        subject="We could not renew ${planName}",
        body=(
            "Hello ${name},\n\nThe payment for your ${planName} subscription failed. We will try again "
            "${retryAt}; please check your card details before then to keep your subscription."
        ),
        defaults={"name": "there", "retryAt": "in a few days"},
    ),
    TemplateKey.RENEWAL_REMINDER: MailTemplate(
        subject="${planName} renews on ${renewsAt}",
        body="Hello ${name},\n\nA reminder: your ${planName} subscription renews on ${renewsAt}.",
    ),
    TemplateKey.TRIAL_ENDING: MailTemplate(
        subject="Your trial ends on ${trialEndsAt}",
        body=(
            "Hello ${name},\n\nYour free trial of ${planName} ends on ${trialEndsAt}. Add a card to keep "
            "booking sessions without a break."
        ),
        defaults={"name": "there", "planName": "Solo60"},
    ),
    TemplateKey.EMAIL_CONFIRMATION: MailTemplate(
        subject="Confirm your email address",
        body="Hello ${name},\n\nWelcome to Solo60! Please confirm your email address:\n${confirmationUrl}",
    ),
    TemplateKey.PASSWORD_RESET: MailTemplate(
        subject="Reset your Solo60 password",
        body=(
            "Hello ${name},\n\nSomeone asked to reset your password. If it was you, choose a new one here "
            "within ${expiresInMinutes} minutes:\n${resetUrl}\n\nIf it was not you, ignore this mail."
        ),
        defaults={"name": "there", "expiresInMinutes": "60"},
    ),
    TemplateKey.PASSWORD_RESET_CONFIRMATION: MailTemplate(
        subject="Your Solo60 password was changed",
        body=(
            "Hello ${name},\n\nYour password was just changed and every other device was signed out. "
            "If you did not do this, reset your password at once and contact support."
        ),
    ),
    TemplateKey.ACCOUNT_VERIFICATION: MailTemplate(
        subject="Verify your Solo60 account",
        body="Hello ${name},\n\nPlease verify your account to start booking sessions:\n${verificationUrl}",
    ),
}


def render(template_key: TemplateKey, variables: Mapping[str, object]) -> RenderedMail:
    """The subject (one line) and body for these variables; `MissingVariables` names what is lacking."""
    template = TEMPLATES[template_key]
    required = TEMPLATE_VARIABLES[template_key].required
    missing = sorted(name for name in required if name not in variables)
    if missing:
        raise MissingVariables(template_key, missing)
    values = {**template.defaults, **{name: _text(value) for name, value in variables.items()}}
    subject = " ".join(_CONTROL_CHARACTERS.sub(" ", Template(template.subject).substitute(values)).split())
    body = Template(template.body).substitute(values).replace("\r\n", "\n").replace("\r", "\n") + SIGNATURE
    return RenderedMail(template_key=template_key, subject=subject[:998], body=body)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
