"""The communication service's internal API: transactional email, now or through the outbox, and in-app notices.

The template keys and the variables each template needs are part of the contract: callers
must know them, so they are declared here (and listed in the OpenAPI document), and the
service's templates are checked against them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints, model_validator
from pydantic.json_schema import SkipJsonSchema

from solo60.contracts.errors import ErrorCode
from solo60.contracts.models import (
    Id,
    RequestModel,
    ResponseModel,
    Timestamp,
    checked_as_sent,
    trimmed_pattern,
)
from solo60.contracts.route import Contract, Link, Route


class TemplateKey(StrEnum):
    SESSION_APPROVAL_REQUEST = "SESSION_APPROVAL_REQUEST"
    SESSION_APPROVED = "SESSION_APPROVED"
    SESSION_REJECTED = "SESSION_REJECTED"
    SESSION_CANCELLED = "SESSION_CANCELLED"
    GUEST_INVITATION = "GUEST_INVITATION"
    NOISE_WARNING = "NOISE_WARNING"
    SPOT_AVAILABLE = "SPOT_AVAILABLE"
    SUBSCRIPTION_ACTIVATED = "SUBSCRIPTION_ACTIVATED"
    SUBSCRIPTION_EXPIRED = "SUBSCRIPTION_EXPIRED"
    PAYMENT_SUCCESS = "PAYMENT_SUCCESS"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    RENEWAL_REMINDER = "RENEWAL_REMINDER"
    TRIAL_ENDING = "TRIAL_ENDING"
    EMAIL_CONFIRMATION = "EMAIL_CONFIRMATION"
    PASSWORD_RESET = "PASSWORD_RESET"
    PASSWORD_RESET_CONFIRMATION = "PASSWORD_RESET_CONFIRMATION"
    ACCOUNT_VERIFICATION = "ACCOUNT_VERIFICATION"


@dataclass(frozen=True)
class TemplateVariables:
    """The variables a template needs (`required`) and those it can do without (`optional`)."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ("name",)


TEMPLATE_VARIABLES: dict[TemplateKey, TemplateVariables] = {
    TemplateKey.SESSION_APPROVAL_REQUEST: TemplateVariables(
        ("memberName", "gymName", "startsAt", "sessionId"), ("name", "guests")
    ),
    TemplateKey.SESSION_APPROVED: TemplateVariables(("gymName", "startsAt")),
    TemplateKey.SESSION_REJECTED: TemplateVariables(("gymName", "startsAt"), ("name", "reason")),
    TemplateKey.SESSION_CANCELLED: TemplateVariables(("gymName", "startsAt"), ("name", "reason")),
    TemplateKey.GUEST_INVITATION: TemplateVariables(("hostName", "gymName", "startsAt")),
    TemplateKey.NOISE_WARNING: TemplateVariables(("gymName", "startsAt")),
    TemplateKey.SPOT_AVAILABLE: TemplateVariables(("gymName", "startsAt")),
    TemplateKey.SUBSCRIPTION_ACTIVATED: TemplateVariables(("planName", "monthlyCredits"), ("name", "renewsAt")),
    TemplateKey.SUBSCRIPTION_EXPIRED: TemplateVariables(("planName", "endedAt")),
    TemplateKey.PAYMENT_SUCCESS: TemplateVariables(("credits",), ("name", "planName")),
    TemplateKey.PAYMENT_FAILED: TemplateVariables(("planName",), ("name", "retryAt")),
    TemplateKey.RENEWAL_REMINDER: TemplateVariables(("planName", "renewsAt")),
    TemplateKey.TRIAL_ENDING: TemplateVariables(("trialEndsAt",), ("name", "planName")),
    TemplateKey.EMAIL_CONFIRMATION: TemplateVariables(("confirmationUrl",)),
    TemplateKey.PASSWORD_RESET: TemplateVariables(("resetUrl",), ("name", "expiresInMinutes")),
    TemplateKey.PASSWORD_RESET_CONFIRMATION: TemplateVariables(()),
    TemplateKey.ACCOUNT_VERIFICATION: TemplateVariables(("verificationUrl",)),
}


def _template_table() -> str:
    rows = [
        f"| `{key.value}` | {', '.join(f'`{v}`' for v in spec.required) or '-'} | "
        f"{', '.join(f'`{v}`' for v in spec.optional) or '-'} |"
        for key, spec in TEMPLATE_VARIABLES.items()
    ]
    return "\n".join(["| templateKey | required variables | optional variables |", "| --- | --- | --- |", *rows])


class DeliveryStatus(StrEnum):
    QUEUED = "QUEUED"
    SENT = "SENT"
    FAILED = "FAILED"


MailboxAddress = Annotated[
    str,
    StringConstraints(
        min_length=3,
        max_length=254,
        pattern=r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$",
    ),
    Field(description="One plain ASCII address (`local@domain`), no display name."),
]

_UNPRINTABLE = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_PRINTABLE_TEXT = f"^[^{_UNPRINTABLE}]*$"
"""Text without control characters other than tab and line breaks (PostgreSQL refuses NUL outright)."""

VariableName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,63}$")]
VariableValue = (
    Annotated[str, StringConstraints(max_length=2000, pattern=_PRINTABLE_TEXT)]
    | Annotated[int, Field(ge=-(10**15), le=10**15)]
    | Annotated[float, Field(allow_inf_nan=False, ge=-1e15, le=1e15)]
    | bool
)


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


class Recipient(RequestModel):
    """Exactly one of `userId` (the address is looked up in the user service) or `email`."""

    model_config = ConfigDict(
        json_schema_extra={
            "minProperties": 1,
            "maxProperties": 1,
            "examples": [{"userId": "123"}, {"email": "guest@example.com"}],
        }
    )

    # null is refused like a missing field, so the document offers neither null nor a null default.
    user_id: Id | SkipJsonSchema[None] = Field(default=None, json_schema_extra=_no_default)
    email: MailboxAddress | SkipJsonSchema[None] = Field(default=None, json_schema_extra=_no_default)

    @model_validator(mode="after")
    def _exactly_one(self) -> Recipient:
        if (self.user_id is None) == (self.email is None):
            raise ValueError("give exactly one of userId or email")
        return self


def _variables_by_template() -> list[dict[str, Any]]:
    """One branch per template that needs variables, naming them; one for the templates that need none.

    The provider refuses a missing variable with 400, so the document says so too, and a
    client or a fuzzer reading it knows which bodies are valid. Branches (rather than one
    if/then per template) keep the schema small enough for a generator to draw from.
    """
    needing = [
        {
            "properties": {"templateKey": {"const": key.value}, "variables": {"required": list(spec.required)}},
            "required": ["variables"],
        }
        for key, spec in TEMPLATE_VARIABLES.items()
        if spec.required
    ]
    free = [key.value for key, spec in TEMPLATE_VARIABLES.items() if not spec.required]
    return [*needing, {"properties": {"templateKey": {"enum": free}}}]


class SendEmail(RequestModel):
    """A transactional email: which template, to whom, and the values its placeholders take."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": _variables_by_template(),
            "examples": [
                {
                    "templateKey": "SESSION_APPROVED",
                    "to": {"userId": "123"},
                    "variables": {"gymName": "Field Street Gym", "startsAt": "2025-01-02 18:00"},
                },
                {
                    "templateKey": "GUEST_INVITATION",
                    "to": {"email": "guest@example.com"},
                    "variables": {"hostName": "Ada", "gymName": "Field Street Gym", "startsAt": "2025-01-02 18:00"},
                },
            ],
        }
    )

    template_key: TemplateKey = Field(description="The template; see the route description for its variables.")
    to: Recipient
    variables: dict[VariableName, VariableValue] = Field(default_factory=dict, max_length=50)


class EmailDelivery(ResponseModel):
    """Where a message is on its way: QUEUED (waiting for an attempt), SENT or FAILED (gave up)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "messageId": "8c4f6c1e-2f5b-5a43-9d1e-6b7a0c3d2e11",
                    "templateKey": "SESSION_APPROVED",
                    "status": "QUEUED",
                    "attempts": 1,
                    "maxAttempts": 8,
                    "lastError": "mail server unavailable: connection refused",
                    "nextAttemptAt": "2025-01-02T03:05:05Z",
                    "sentAt": None,
                    "createdAt": "2025-01-02T03:04:05Z",
                    "updatedAt": "2025-01-02T03:04:06Z",
                }
            ]
        }
    )

    message_id: Id
    template_key: TemplateKey
    status: DeliveryStatus
    attempts: int = Field(description="Attempts made so far, the one under way included.")
    max_attempts: int
    last_error: str | None = Field(
        default=None, description="Why the latest failed attempt failed; kept when a later attempt succeeds."
    )
    next_attempt_at: Timestamp | None = Field(default=None, description="When a QUEUED message is tried next.")
    sent_at: Timestamp | None = None
    created_at: Timestamp
    updated_at: Timestamp


class EmailAccepted(ResponseModel):
    """The message is in the outbox; its delivery is followed at `GET /internal/emails/{messageId}`."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"messageId": "8c4f6c1e-2f5b-5a43-9d1e-6b7a0c3d2e11", "status": "QUEUED"}]}
    )

    message_id: Id
    status: DeliveryStatus = DeliveryStatus.QUEUED


NotificationCategory = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{0,63}$")]
_NOTICE_TEXT = trimmed_pattern(_UNPRINTABLE)

NotificationTitle = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=_NOTICE_TEXT, strip_whitespace=True),
    checked_as_sent(_NOTICE_TEXT, 200),
]
NotificationMessage = Annotated[
    str,
    StringConstraints(min_length=1, max_length=2000, pattern=_NOTICE_TEXT, strip_whitespace=True),
    checked_as_sent(_NOTICE_TEXT, 2000),
]
NotificationValue = Annotated[str, StringConstraints(max_length=500, pattern=_PRINTABLE_TEXT)]


class SendSystemNotification(RequestModel):
    """An in-app notice for one user, shown the next time they open the app."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "userId": "123",
                    "category": "SESSION_APPROVED",
                    "title": "Your session is approved",
                    "message": "Field Street Gym approved your session on 2 January at 18:00.",
                    "data": {"sessionId": "s-1"},
                }
            ]
        }
    )

    user_id: Id
    category: NotificationCategory = "SYSTEM"
    title: NotificationTitle
    message: NotificationMessage
    data: dict[VariableName, NotificationValue] = Field(default_factory=dict, max_length=20)


class SystemNotification(ResponseModel):
    """A stored in-app notice."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0f3e2c1a-7b6d-4e5f-8a9b-0c1d2e3f4a5b",
                    "userId": "123",
                    "category": "SESSION_APPROVED",
                    "title": "Your session is approved",
                    "message": "Field Street Gym approved your session on 2 January at 18:00.",
                    "data": {"sessionId": "s-1"},
                    "createdAt": "2025-01-02T03:04:05Z",
                    "readAt": None,
                }
            ]
        }
    )

    id: Id
    user_id: Id
    category: str
    title: str
    message: str
    data: dict[str, str]
    created_at: Timestamp
    read_at: Timestamp | None = None


_TEMPLATES_NOTE = (
    "Every template also takes the optional `name` (the greeting). A missing required variable is a 400 "
    "naming it (`body.variables.<name>`); variables a template does not use are ignored.\n\n" + _template_table()
)


class CommunicationServiceContract(Contract):
    service = "communication"
    title = "Solo60 communication service"
    description = "Transactional email (now, or through an outbox with retries) and in-app system notifications."

    send_email = Route(
        "POST",
        "/internal/emails/send",
        summary="Send a transactional email now",
        description=(
            "Renders the template and hands the mail to the mail server before answering. When the mail server "
            "(or, for `to.userId`, the user service) is unreachable the answer is 503 and nothing is recorded as "
            "sent: retry with the same `Idempotency-Key`. An unknown `to.userId` is 404; an address the mail "
            "server refuses for good is 400.\n\n" + _TEMPLATES_NOTE
        ),
        body=SendEmail,
        responses={201: EmailDelivery},
        errors=[ErrorCode.NOT_FOUND],
        idempotency_key=True,
        calls_upstream=True,
        links=[Link("GetSentEmail", "get_email", {"messageId": "$response.body#/messageId"}, status=201)],
    )
    send_email_async = Route(
        "POST",
        "/internal/emails/send-async",
        summary="Queue a transactional email for delivery in the background",
        description=(
            "Stores the message in the outbox and answers 202 at once. A dispatcher delivers it, retrying with "
            "exponential backoff while the mail server or the user service is unavailable, and marks it FAILED "
            "with the error after the last attempt (at once for an unknown user or a refused address).\n\n"
            + _TEMPLATES_NOTE
        ),
        body=SendEmail,
        responses={202: EmailAccepted},
        idempotency_key=True,
        links=[Link("GetQueuedEmail", "get_email", {"messageId": "$response.body#/messageId"}, status=202)],
    )
    get_email = Route(
        "GET",
        "/internal/emails/{messageId}",
        summary="Read a message's delivery status",
        responses={200: EmailDelivery},
        errors=[ErrorCode.NOT_FOUND],
    )
    send_system_notification = Route(
        "POST",
        "/internal/notifications/system",
        summary="Store an in-app system notification for a user",
        body=SendSystemNotification,
        responses={201: SystemNotification},
    )
